namespace Demiurge.GatewayProcess;

/// <summary>The control plane's answer to <c>GET /users/me</c>: who a user token belongs to. Other fields are ignored.</summary>
internal sealed record UserAnswer(string UserId, string Username);
