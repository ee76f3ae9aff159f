namespace Demiurge.Tests.GatewayProcess;

/// <summary>
/// An allocation the fake control plane made: the handshake token to send, and what config will
/// answer. <see cref="ProjectIds"/> are the organization's projects: the config lists them, and
/// a push of any other id is refused.
/// </summary>
public sealed record FakeGrant(
    string HandshakeToken, string AllocationId, string OrganizationId, string GatewayId, string AllocationToken,
    IReadOnlyDictionary<string, object?> ConfigExtras, IReadOnlyList<string> ProjectIds, long StorageQuotaBytes);
