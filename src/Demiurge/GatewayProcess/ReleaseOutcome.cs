namespace Demiurge.GatewayProcess;

internal enum ReleaseOutcome
{
    /// <summary>Saved, stopped (or found revoked), and idle again.</summary>
    Released,

    NotServing,

    /// <summary>The final push or the stop failed; the organization is still served and the release is tried again later.</summary>
    Failed,
}
