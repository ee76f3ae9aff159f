using System.Data.Common;
using Npgsql;

namespace Demiurge.Store.Postgres;

/// <summary>
/// The production store: PostgreSQL through Npgsql, shared by any number of control planes.
/// The SQL and the migrations are <see cref="SqlStore"/>'s; this adds what concurrent writers
/// from several processes need: advisory locks and <c>SKIP LOCKED</c> claims.
/// </summary>
internal sealed class PostgresStore(NpgsqlDataSource dataSource) : SqlStore, IAsyncDisposable
{
    public PostgresStore(string connectionString)
        : this(NpgsqlDataSource.Create(connectionString))
    {
    }

    protected override (string Lock, string Unlock)? MigrationLockSql =>
        ($"SELECT pg_advisory_lock({AdvisoryLocks.Migrations})", $"SELECT pg_advisory_unlock({AdvisoryLocks.Migrations})");

    protected override string EventAppendLockSql => $"SELECT pg_advisory_xact_lock({AdvisoryLocks.EventAppend})";

    protected override string RowLockClause => " FOR UPDATE";

    protected override string ClaimOrganizationLockSql => $"SELECT pg_advisory_xact_lock({AdvisoryLocks.ClaimSpace}, hashtext(@org))";

    // pg_locks shows a two-key advisory lock as classid = key 1, objid = key 2 (as oid), objsubid = 2.
    protected override string OrphanedCondition => $"""
        (owner IS NULL OR (owner <> @me AND NOT EXISTS (
            SELECT 1 FROM pg_locks l
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid = {AdvisoryLocks.InstanceSpace}::oid AND l.objid = hashtext(owner)::oid)))
        """;

    /// <summary>
    /// The statement that takes this instance's liveness lock, held by leadership's connection
    /// for as long as it lives. (The id is a UUID this object made, so it is inlined.)
    /// </summary>
    public string LivenessLockSql => $"SELECT pg_advisory_lock({AdvisoryLocks.InstanceSpace}, hashtext('{InstanceId}'))";

    protected override string ClaimLockClause => " FOR UPDATE SKIP LOCKED";

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    protected override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();
}
