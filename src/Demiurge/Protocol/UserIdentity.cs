namespace Demiurge.Protocol;

/// <summary>What a worker reads of the control plane's answer to <see cref="GatewayPaths.Me"/>: who a user token belongs to. Other fields are ignored.</summary>
internal sealed record UserIdentity(string UserId, string Username);
