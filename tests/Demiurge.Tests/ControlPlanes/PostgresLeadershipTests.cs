using Demiurge.Coordination;
using Demiurge.Hosting;
using Demiurge.Store;
using Demiurge.Store.Postgres;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Demiurge.Tests.ControlPlanes;

/// <summary>The leader lock itself, in process, on a real PostgreSQL cluster of this class's own.</summary>
public sealed class PostgresLeadershipTests(PostgresClusterFixture cluster) : IAsyncLifetime, IClassFixture<PostgresClusterFixture>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private readonly string _connectionString = cluster.Server.CreateDatabase();
    private readonly List<(PostgresLeadership Leadership, Database Database)> _instances = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task TwoInstances_OneLeads_WhenItStopsTheOtherLeads()
    {
        var first = await StartAsync();
        var firstTerm = await first.WaitForLeadershipAsync(Ct).WaitAsync(s_wait, Ct);
        var second = await StartAsync();

        // The second keeps trying, and fails while the first holds the lock.
        await Task.Delay(PostgresLeadership.RetryInterval * 2, Ct);
        Assert.True(first.IsLeader);
        Assert.False(second.IsLeader);
        Assert.False(second.WaitForLeadershipAsync(Ct).IsCompleted);

        await first.StopAsync(Ct);

        Assert.True(firstTerm.IsCancellationRequested);
        Assert.False(first.IsLeader);
        await second.WaitForLeadershipAsync(Ct).WaitAsync(s_wait, Ct);
        Assert.True(second.IsLeader);
    }

    [Fact]
    public async Task LeaderLosesItsConnection_TermEndsAtOnce_ThenLeadsAgain()
    {
        var leadership = await StartAsync();
        var term = await leadership.WaitForLeadershipAsync(Ct).WaitAsync(s_wait, Ct);
        var ended = new TaskCompletionSource();
        using var registration = term.Register(ended.SetResult);

        // The server drops the leader's connection (as a restart or a network cut would).
        await using (var admin = new NpgsqlConnection(_connectionString))
        {
            await admin.OpenAsync(Ct);
            await using var terminate = new NpgsqlCommand(
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'demiurge-leadership' AND datname = current_database()", admin);
            Assert.Equal(1L, await terminate.ExecuteScalarAsync(Ct));
        }

        // The next heartbeat fails and the term ends, before anything else happens.
        await ended.Task.WaitAsync(s_wait, Ct);
        // Nobody else holds the lock, so it leads again, in a new term.
        var next = await leadership.WaitForLeadershipAsync(Ct).WaitAsync(s_wait, Ct);
        Assert.False(next.IsCancellationRequested);
        Assert.True(leadership.IsLeader);
    }

    private async Task<PostgresLeadership> StartAsync()
    {
        var database = new Database(new PostgresDialect(_connectionString));
        await database.MigrateAsync(Ct);
        var options = Options.Create(new StoreOptions { Provider = StoreOptions.Postgres, PostgresConnectionString = _connectionString });
        var leadership = new PostgresLeadership(database, options, TimeProvider.System, NullLogger<PostgresLeadership>.Instance);
        _instances.Add((leadership, database));
        await leadership.StartAsync(Ct);
        return leadership;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (leadership, database) in _instances)
        {
            await leadership.StopAsync(CancellationToken.None);
            leadership.Dispose();
            await database.DisposeAsync();
        }
    }
}
