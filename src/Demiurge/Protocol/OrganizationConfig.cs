namespace Demiurge.Protocol;

/// <summary>
/// The organization's config, the settings a gateway serves it by (its name, members, projects and storage
/// quota) at <see cref="SettingsRevision"/>. They reach the worker in the handshake's
/// <see cref="GatewayConfigResponse"/>, which is one of these, and afterwards in
/// <see cref="GatewayPaths.CollabConfig"/> whenever one of them changes; the worker validates and
/// applies both the same way, and only a revision newer than the one it holds.
/// </summary>
/// <remarks>Not sealed: the config answer carries the same fields, flat on the wire.</remarks>
internal record OrganizationConfig
{
    public string? OrganizationId { get; init; }

    /// <summary>Moves with every change of the fields below, in the store's transaction.</summary>
    public long? SettingsRevision { get; init; }

    public string? OrganizationName { get; init; }

    /// <summary>Who may use the organization on its gateway; authoritative.</summary>
    public IReadOnlyList<GatewayMember>? Members { get; init; }

    /// <summary>Every project of the organization (empty when it has none).</summary>
    public IReadOnlyList<GatewayProject>? Projects { get; init; }

    /// <summary>Most the organization may store: its documents and its gateway state.</summary>
    public long? StorageQuotaBytes { get; init; }
}
