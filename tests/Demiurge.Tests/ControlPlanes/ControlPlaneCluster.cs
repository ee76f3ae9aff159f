using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.ControlPlanes;

/// <summary>
/// Several <c>demiurge controlplane</c> processes (the built executable) on a PostgreSQL cluster
/// of the test's own (<c>initdb</c> and <c>postgres</c> in a temporary folder, about a second),
/// each with a data directory of its own, sharing one worker port range.
/// </summary>
public sealed class ControlPlaneCluster : IAsyncDisposable
{
    public const string Token = "cluster-admin-token-0123456789";

    private readonly PostgresServer _postgres;
    private readonly string _connectionString;
    private readonly string _ports = PortBlocks.Next();
    private readonly int _poolSize;
    private bool _disposed;

    private readonly string[] _arguments;

    private ControlPlaneCluster(PostgresServer postgres, int poolSize, string[] arguments)
    {
        _postgres = postgres;
        _connectionString = postgres.CreateDatabase();
        _poolSize = poolSize;
        _arguments = arguments;
    }

    public List<Instance> Instances { get; } = [];

    /// <summary>Starts <paramref name="count"/> control planes together, with <paramref name="arguments"/> added to each one's, and waits until each serves its API.</summary>
    public static async Task<ControlPlaneCluster> StartAsync(int count, int poolSize, params string[] arguments)
    {
        var cluster = new ControlPlaneCluster(await PostgresServer.StartAsync(), poolSize, arguments);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(_ => cluster.AddAsync()));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private readonly string _masterKey = Demiurge.Security.MasterKey.NewEncoded();

    /// <summary>Starts one more control plane on the same database.</summary>
    public async Task<Instance> AddAsync()
    {
        var dataDir = new TempDirectory();
        var process = DemiurgeProcess.Start(
        [
            "controlplane", "--data-dir", dataDir.Path, "--api-port", "0", "--admin-token", Token,
            "--pool-size", $"{_poolSize}", "--pool-min-ready", "0", "--pool-max", $"{_poolSize}", "--pool-check-interval", "300ms",
            "--gateway-inactivity-timeout", "off", "--pool-ports", _ports, .. _arguments,
        ], new Dictionary<string, string>
        {
            ["DEMIURGE_STORE"] = "postgres",
            ["DEMIURGE_POSTGRES"] = _connectionString,
            // One store, one key ring: every control plane needs its master key.
            [Demiurge.Security.MasterKey.Variable] = _masterKey,
        });
        var instance = new Instance(process, dataDir);
        lock (Instances)
        {
            Instances.Add(instance);
        }

        var http = new HttpClient { BaseAddress = new Uri(await process.WaitForOutputAsync("API:")), Timeout = TimeSpan.FromSeconds(90) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        instance.Api = http;
        return instance;
    }

    /// <summary>The instances that say in /readyz that they lead; an instance that does not answer is left out.</summary>
    public async Task<List<Instance>> LeadersAsync()
    {
        var leaders = new List<Instance>();
        foreach (var instance in Instances.Where(i => !i.Exited))
        {
            try
            {
                var ready = await instance.Api.GetFromJsonAsync<JsonElement>("/readyz");
                if (ready.GetProperty("details").GetProperty("leadership").GetString() == "leader")
                {
                    leaders.Add(instance);
                }
            }
            catch (HttpRequestException)
            {
                // Not answering: not a leader anyone can see.
            }
        }

        return leaders;
    }

    /// <summary>Waits until exactly one live instance leads and returns it.</summary>
    public async Task<Instance> WaitForOneLeaderAsync() =>
        await WaitForAsync("exactly one leader", async () => await LeadersAsync() is [var leader] ? leader : null);

    public static async Task<T> WaitForAsync<T>(string what, Func<Task<T?>> probe, int seconds = 60)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A test may stop the cluster itself to check what is left, before `await using` does.
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // All at once, as a service manager would: the leader stops the workers, followers only themselves.
        foreach (var instance in Instances.Where(i => !i.Exited))
        {
            instance.Process.Signal(DemiurgeProcess.SigTerm);
        }

        foreach (var instance in Instances)
        {
            await instance.DisposeAsync();
        }

        await _postgres.DisposeAsync();
    }

    public sealed class Instance(DemiurgeProcess process, TempDirectory dataDir) : IAsyncDisposable
    {
        private const int SigKill = 9;

        public DemiurgeProcess Process { get; } = process;

        public HttpClient Api { get; set; } = null!;

        /// <summary>Killed or stopped by the test.</summary>
        public bool Exited { get; private set; }

        /// <summary><c>kill -9</c>: no shutdown, no goodbye to the database.</summary>
        public async Task KillAsync()
        {
            Exited = true;
            Process.Signal(SigKill);
            await Process.WaitForExitAsync();
        }

        /// <summary>SIGTERM, as a service manager stops it; returns the exit code.</summary>
        public async Task<int> StopAsync()
        {
            Exited = true;
            Process.Signal(DemiurgeProcess.SigTerm);
            return await Process.WaitForExitAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (!Exited)
            {
                try
                {
                    await Process.WaitForExitAsync();
                }
                catch (OperationCanceledException)
                {
                    // DisposeAsync below kills it.
                }
            }

            await Process.DisposeAsync();
            Api?.Dispose();
            dataDir.Dispose();
        }
    }
}
