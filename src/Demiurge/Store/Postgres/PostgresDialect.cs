using System.Data.Common;
using Npgsql;

namespace Demiurge.Store.Postgres;

/// <summary>
/// The production engine: PostgreSQL through Npgsql, shared by any number of control planes.
/// Concurrent writers from several processes are kept apart by advisory locks and row locks,
/// and claims pass over each other with <c>SKIP LOCKED</c>.
/// </summary>
internal sealed class PostgresDialect(NpgsqlDataSource dataSource) : SqlDialect
{
    public PostgresDialect(string connectionString)
        : this(NpgsqlDataSource.Create(connectionString))
    {
    }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    public override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public override string SessionLockSql(long key) => $"SELECT pg_advisory_lock({key})";

    public override string SessionUnlockSql(long key) => $"SELECT pg_advisory_unlock({key})";

    public override string SessionLockSql(int space, string keySql) => $"SELECT pg_advisory_lock({space}, hashtext({keySql}))";

    // pg_locks shows a two-key advisory lock as classid = key 1, objid = key 2 (as oid), objsubid = 2.
    public override string SessionLockHeldSql(int space, string keySql) => $"""
        EXISTS (
            SELECT 1 FROM pg_locks l
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid = {space}::oid AND l.objid = hashtext({keySql})::oid)
        """;

    public override string TransactionLockSql(long key) => $"SELECT pg_advisory_xact_lock({key})";

    public override string TransactionLockSql(int space, string keySql) => $"SELECT pg_advisory_xact_lock({space}, hashtext({keySql}))";

    public override string RowLockClause => " FOR UPDATE";

    public override string SkipLockedClause => " FOR UPDATE SKIP LOCKED";

    public override ValueTask DisposeAsync() => dataSource.DisposeAsync();
}
