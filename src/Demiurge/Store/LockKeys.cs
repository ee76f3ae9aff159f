namespace Demiurge.Store;

/// <summary>
/// Keys of the database locks Demiurge takes (advisory locks on PostgreSQL), in one place so
/// that no two uses meet. Locks are per database, so control planes share them exactly when
/// they share a database.
/// </summary>
internal static class LockKeys
{
    // "demiurge" in ASCII, plus a small number per lock: unlikely to meet another application's keys.
    private const long Base = 0x64656D6975726700;

    /// <summary>Held for a whole migration run (session lock).</summary>
    public const long Migrations = Base + 1;

    /// <summary>Held from an event's append until its transaction ends (transaction lock).</summary>
    public const long EventAppend = Base + 2;

    /// <summary>Held by the leader on a connection of its own for as long as it leads (session lock).</summary>
    public const long Leader = Base + 3;

    /// <summary>
    /// First key of the per-organization claim locks (transaction locks); the second is a hash of the
    /// organization id. Two-key locks never meet the one-key locks above.
    /// </summary>
    public const int ClaimSpace = 0x64656D69;

    /// <summary>
    /// First key of the instance liveness locks (session locks); the second is a hash of the
    /// database object's instance id. Each control plane holds its own while it lives.
    /// </summary>
    public const int InstanceSpace = ClaimSpace + 1;
}
