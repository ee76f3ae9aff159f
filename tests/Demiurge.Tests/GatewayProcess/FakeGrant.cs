namespace Demiurge.Tests.GatewayProcess;

/// <summary>An allocation the fake control plane made: the handshake token to send, and what config will answer.</summary>
public sealed record FakeGrant(
    string HandshakeToken, string AllocationId, string OrganizationId, string GatewayId, string AllocationToken,
    IReadOnlyDictionary<string, object?> ConfigExtras);
