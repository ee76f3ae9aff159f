namespace Demiurge.Gateways;

internal enum PushOutcome
{
    Stored,

    /// <summary>The writer's version is not the current one.</summary>
    Stale,

    /// <summary>The allocation token is not current: released, rolled back, or never valid.</summary>
    Revoked,

    /// <summary>Some documents are for ids that are not projects of the organization; nothing was written.</summary>
    UnknownProjects,

    /// <summary>The push would take the organization's stored data over its quota; nothing was written.</summary>
    QuotaExceeded,
}
