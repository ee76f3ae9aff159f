namespace Demiurge.Gateways;

internal enum PushOutcome
{
    Stored,

    /// <summary>The writer's version is not the current one.</summary>
    Stale,

    /// <summary>The allocation token is not current: released, rolled back, or never valid.</summary>
    Revoked,
}
