namespace Demiurge.Gateways;

/// <summary>What the control plane tells its gateway workers (section <c>Demiurge:Gateway</c>).</summary>
public sealed class GatewayOptions
{
    /// <summary>Release an organization after this long without user activity (<c>off</c>, null, never releases).</summary>
    public TimeSpan? InactivityTimeout { get; set; } = GatewayProcess.GatewayProcessOptions.DefaultInactivityTimeout;

    /// <summary>How often a worker saves dirty data.</summary>
    public TimeSpan AutosaveInterval { get; set; } = GatewayProcess.GatewayProcessOptions.DefaultAutosaveInterval;

    /// <summary>How often a worker removes expired OAuth codes and tokens.</summary>
    public TimeSpan OAuthCleanupInterval { get; set; } = GatewayProcess.GatewayProcessOptions.DefaultOAuthCleanupInterval;

    /// <summary>
    /// Most an organization may store: its documents and its gateway state, as stored. Enforced
    /// when a document is written on the gateway and again at each push; a system admin can set
    /// another quota for one organization (<c>PATCH /orgs/{id}</c>).
    /// </summary>
    public ByteSize OrganizationStorageQuota { get; set; } = ByteSize.FromMebibytes(256);

    /// <summary>
    /// The loopback ports a user container may register as its endpoint (<c>--container-ports</c>).
    /// The gateway forwards anyone's request for a container's name to its endpoint, so a port of
    /// the platform's own (the API, PostgreSQL, a registry) would be published on the edge.
    /// </summary>
    public PortRange ContainerPorts { get; set; } = GatewayProcess.GatewayProcessOptions.DefaultContainerPorts;

    /// <summary>How long the handshake (the worker's config and pull) may take.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
