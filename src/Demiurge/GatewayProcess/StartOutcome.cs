namespace Demiurge.GatewayProcess;

internal enum StartOutcome
{
    /// <summary>Serving the organization (now, or already for this handshake token).</summary>
    Started,

    /// <summary>Busy with another allocation.</summary>
    Conflict,

    /// <summary>The control plane refused the handshake or the pull, or answered something unusable.</summary>
    Failed,

    /// <summary>The process is stopping.</summary>
    Unavailable,
}
