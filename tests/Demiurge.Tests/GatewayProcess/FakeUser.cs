namespace Demiurge.Tests.GatewayProcess;

/// <summary>A user the fake control plane knows: <c>GET /users/me</c> with <see cref="Token"/> answers their id and name.</summary>
public sealed record FakeUser(string UserId, string Username, string Token);
