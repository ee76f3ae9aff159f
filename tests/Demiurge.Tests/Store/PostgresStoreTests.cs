using System.Data.Common;
using Demiurge.Store;
using Demiurge.Tests.Infrastructure;
using Npgsql;

namespace Demiurge.Tests.Store;

/// <summary>
/// The store contract on PostgreSQL, on a cluster of this class's own with one fresh database
/// per test, plus what only PostgreSQL has.
/// </summary>
public sealed class PostgresStoreTests(PostgresClusterFixture cluster) : StoreContractTests, IClassFixture<PostgresClusterFixture>
{
    private readonly string _connectionString = cluster.Server.CreateDatabase();

    private protected override async Task<Stores> CreateStoreAsync()
    {
        var store = Stores.Postgres(_connectionString);
        await store.Database.MigrateAsync(Ct);
        return store;
    }

    private protected override Task<IReadOnlyList<Stores>> CreateStoresOnFreshDatabaseAsync(int count)
    {
        var connectionString = cluster.Server.CreateDatabase();
        return Task.FromResult<IReadOnlyList<Stores>>([.. Enumerable.Range(0, count).Select(_ => Stores.Postgres(connectionString))]);
    }

    protected override async Task<DbConnection> OpenConnectionAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        return connection;
    }

    [Fact]
    public async Task PingAsync_ServerNotListening_ThrowsNpgsqlException()
    {
        var port = FreePorts.Tcp();
        var store = Own(Stores.Postgres($"Host=127.0.0.1;Port={port};Username=postgres;Timeout=5"));

        // The readiness check turns a DbException into "unhealthy".
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => store.Database.PingAsync(Ct));
    }

    [Fact]
    public async Task MigrateAsync_SecondStore_HoldsNoAdvisoryLockAfterwards()
    {
        var second = Own(Stores.Postgres(_connectionString));

        await second.Database.MigrateAsync(Ct);

        // The migration lock is a session lock on a pooled connection: it must be released, or
        // the next control plane to start would wait for ever.
        await using var connection = await OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync(Ct))!);
    }

    [Fact]
    public async Task AllocationListOrphanedAsync_OwnerHoldsItsLivenessLock_NotOrphanedUntilItLetsGo()
    {
        var owner = Store;
        var leader = Own(Stores.Postgres(_connectionString));
        await using (var liveness = await OpenConnectionAsync())
        {
            await using (var take = liveness.CreateCommand())
            {
                take.CommandText = owner.Database.LivenessLockSql;
                await take.ExecuteNonQueryAsync(Ct);
            }

            var saga = await ClaimAsync();

            // The owner lives: the leader leaves its saga alone; the owner never sees its own as orphaned.
            Assert.Empty(await leader.Gateways.AllocationListOrphanedAsync(Ct));
            Assert.Empty(await owner.Gateways.AllocationListOrphanedAsync(Ct));

            // The owner lets go, as the server does for it when its connection drops (which
            // the server notices a moment later, so the test releases it outright).
            await using (var release = liveness.CreateCommand())
            {
                release.CommandText = "SELECT pg_advisory_unlock_all()";
                await release.ExecuteNonQueryAsync(Ct);
            }

            Assert.Equal([saga.AllocationId], (await leader.Gateways.AllocationListOrphanedAsync(Ct)).Select(a => a.AllocationId));
            Assert.Empty(await owner.Gateways.AllocationListOrphanedAsync(Ct));
        }
    }
}
