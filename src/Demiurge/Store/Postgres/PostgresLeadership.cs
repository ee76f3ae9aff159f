using System.Diagnostics.Metrics;
using Demiurge.Coordination;
using Npgsql;

namespace Demiurge.Store.Postgres;

/// <summary>
/// Leader election on PostgreSQL: the leader holds a session advisory lock on a connection of
/// its own (docs/decisions/0003-leader-election.md). Followers try for the lock every second.
/// A leader that dies loses its connection and so the lock; one whose connection fails stops
/// leading at once, before the server can have freed the lock for anyone else.
/// </summary>
internal sealed partial class PostgresLeadership(Database database, IOptions<StoreOptions> options, TimeProvider time, ILogger<PostgresLeadership> logger)
    : BackgroundService, ILeadership
{
    /// <summary>How often a follower tries for the lock.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    // The leader checks its connection this often, and gives up on an answer after HeartbeatTimeout.
    // The server is told to drop a silent client after about 3 + 2 x 1 s of TCP keepalives, so a
    // leader cut off from the database has stopped leading (after at most 1.5 s) before the lock
    // can go to another instance.
    private static readonly TimeSpan s_heartbeatInterval = TimeSpan.FromMilliseconds(500);
    private const int HeartbeatTimeoutSeconds = 1;
    private const string ServerKeepalives =
        "SET tcp_keepalives_idle = 3; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 2; SET tcp_user_timeout = 5000";

    private static readonly Meter s_meter = new(DemiurgeMetrics.MeterName);
    private static int s_leading;

    private readonly Lock _lock = new();
    private TaskCompletionSource<CancellationToken> _leadership = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _term;
    private NpgsqlConnection? _connection;

    static PostgresLeadership() =>
        s_meter.CreateObservableGauge("demiurge.controlplane.leader", () => Volatile.Read(ref s_leading), "{instance}",
            "1 while this control plane leads (runs the pool manager and the reconcilers), else 0.");

    public bool IsLeader
    {
        get
        {
            lock (_lock)
            {
                return _term is not null;
            }
        }
    }

    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _leadership.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Connects before the API serves, so that the instance's liveness lock is held before it
    /// can claim any saga (a leader would take an unheld owner's saga for an orphan).
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _connection = await ConnectAsync(cancellationToken);
        }
        catch (NpgsqlException exception)
        {
            LogUnavailable(logger, exception.Message);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogFollowing(logger);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = Interlocked.Exchange(ref _connection, null) ?? await ConnectAsync(stoppingToken);
                while (!await TryLockAsync(connection, stoppingToken))
                {
                    await Task.Delay(RetryInterval, time, stoppingToken);
                }

                Lead();
                while (true)
                {
                    await Task.Delay(s_heartbeatInterval, time, stoppingToken);
                    await ExecuteAsync(connection, "SELECT 1", stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: closing the connection hands the lock on.
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                if (StepDown())
                {
                    LogLost(logger, exception);
                }
                else
                {
                    LogUnavailable(logger, exception.Message);
                }

                await Task.Delay(RetryInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        StepDown();
    }

    /// <summary>A physical connection of its own (the locks live and die with it), holding this instance's liveness lock.</summary>
    private async Task<NpgsqlConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(options.Value.PostgresConnectionString)
        {
            Pooling = false,
            CommandTimeout = HeartbeatTimeoutSeconds,
            Timeout = 5,
            ApplicationName = "demiurge-leadership",
        }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, ServerKeepalives, cancellationToken);
            await ExecuteAsync(connection, database.LivenessLockSql!, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockKeys.Leader})", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
#pragma warning disable CA2100 // Constant SQL.
        await using var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private void Lead()
    {
        lock (_lock)
        {
            _term = new CancellationTokenSource();
            _leadership.SetResult(_term.Token);
        }

        Interlocked.Increment(ref s_leading);
        LogLeading(logger);
    }

    /// <summary>Ends the term, if there is one: everything running under its token stops now.</summary>
    private bool StepDown()
    {
        CancellationTokenSource? term;
        lock (_lock)
        {
            term = _term;
            if (term is null)
            {
                return false;
            }

            _term = null;
            _leadership = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Interlocked.Decrement(ref s_leading);
        // Not disposed: a caller may still be linking to the token, which must then read as cancelled.
        term.Cancel();
        return true;
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Following: another control plane may lead; trying for the leader lock every second")]
    private static partial void LogFollowing(ILogger logger);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Leading: this control plane now runs the pool manager and the reconcilers")]
    private static partial void LogLeading(ILogger logger);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Stopped leading: the connection that holds the leader lock failed")]
    private static partial void LogLost(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "Cannot reach PostgreSQL for the leader lock: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}
