using Demiurge.Protocol;

namespace Demiurge.GatewayProcess.Users;

/// <summary>The outcome of verifying a user token; <see cref="User"/> is set when it was verified.</summary>
internal sealed record UserVerification(UserVerificationStatus Status, UserIdentity? User, string Detail);
