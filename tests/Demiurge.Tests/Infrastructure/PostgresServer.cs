using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Npgsql;

namespace Demiurge.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster: <c>initdb</c> and <c>postgres</c> from the installed
/// server, in a temporary folder, on a free loopback port, stopped by its pid.
/// The server refuses to run as root, so as root it runs as the <c>postgres</c> user.
/// <c>initdb</c> runs once per test run; every cluster starts from a copy of what it made,
/// which takes a few milliseconds instead of its second.
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    private const string ServiceUser = "postgres";
    private const int SigInt = 2;
    private const int SigKill = 9;
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<Task<string>> s_template = new(CreateTemplateAsync);

    private readonly TempDirectory _directory;
    private readonly Process _process;

    private PostgresServer(TempDirectory directory, Process process, int port)
    {
        _directory = directory;
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The postmaster's pid, e.g. to check it is gone.</summary>
    public int Pid => _process.Id;

    /// <summary>Creates a cluster and starts it; throws with the server's output when it does not come up.</summary>
    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var bin = FindBinDirectory();
        var directory = new TempDirectory();
        try
        {
            var asRoot = IsRoot;
            if (asRoot)
            {
                await RunAsync("chown", [ServiceUser, directory.Path], asRoot: false, cancellationToken);
            }

            // cp -a keeps the owner (postgres) and the 0700 mode the server insists on.
            var data = Path.Combine(directory.Path, "data");
            await RunAsync("cp", ["-a", await s_template.Value.WaitAsync(cancellationToken), data], asRoot: false, cancellationToken);

            // Another process may take the probed port before the server binds it: try again.
            for (var attempt = 1; ; attempt++)
            {
                var port = FreePorts.Tcp();
                var process = Start(Path.Combine(bin, "postgres"),
                [
                    "-D", data, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-h", "127.0.0.1", "-k", directory.Path,
                    // A test cluster: speed over durability, and room for many pooled connections.
                    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                    "-c", "max_connections=500", "-c", "shared_buffers=64MB",
                    // Tests provoke errors on purpose (unique violations); log only what stops the server.
                    "-c", "log_min_messages=fatal",
                ], asRoot);
                var log = new ConcurrentQueue<string>();
                process.OutputDataReceived += (_, e) => { if (e.Data is not null) { log.Enqueue(e.Data); } };
                process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { log.Enqueue(e.Data); } };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                var server = new PostgresServer(directory, process, port);
                if (await server.WaitUntilAcceptingAsync(cancellationToken))
                {
                    return server;
                }

                await process.WaitForExitAsync(cancellationToken);
                process.Dispose();
                if (attempt == 3)
                {
                    throw new InvalidOperationException($"postgres did not start on port {port}:{Environment.NewLine}{string.Join(Environment.NewLine, log)}");
                }
            }
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>The cluster every server copies: made by <c>initdb</c> once, deleted when the run ends.</summary>
    private static async Task<string> CreateTemplateAsync()
    {
        var directory = new TempDirectory();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => directory.Dispose();
        if (IsRoot)
        {
            await RunAsync("chown", [ServiceUser, directory.Path], asRoot: false, CancellationToken.None);
        }

        var data = Path.Combine(directory.Path, "data");
        await RunAsync(Path.Combine(FindBinDirectory(), "initdb"),
            ["-D", data, "-U", ServiceUser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"], IsRoot, CancellationToken.None);
        return data;
    }

    /// <summary>A connection string for <paramref name="database"/> on this server.</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = ServiceUser,
        Database = database,
    }.ToString();

    /// <summary>Creates an empty database with a fresh name and returns its connection string.</summary>
    public string CreateDatabase()
    {
        var name = "t_" + Guid.NewGuid().ToString("N");
        using var connection = new NpgsqlConnection(ConnectionString());
        connection.Open();
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // The name is a fresh GUID.
        command.CommandText = $"CREATE DATABASE {name}";
#pragma warning restore CA2100
        command.ExecuteNonQuery();
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        // Fast shutdown: the server rolls back open transactions and disconnects everyone.
        if (!_process.HasExited && Kill(_process.Id, SigInt) == 0)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Kill(_process.Id, SigKill);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        _process.Dispose();
        _directory.Dispose();
    }

    private async Task<bool> WaitUntilAcceptingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_startTimeout);
        var connectionString = new NpgsqlConnectionStringBuilder(ConnectionString()) { Pooling = false, Timeout = 5 }.ToString();
        try
        {
            while (!_process.HasExited)
            {
                try
                {
                    await using var connection = new NpgsqlConnection(connectionString);
                    await connection.OpenAsync(timeout.Token);
                    return true;
                }
                catch (NpgsqlException)
                {
                    // Still starting up (57P03) or not listening yet.
                    await Task.Delay(50, timeout.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
            Kill(_process.Id, SigKill);
            throw;
        }

        return false;
    }

    private static string FindBinDirectory() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "postgres")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var version) ? version : 0)
                .FirstOrDefault() ?? throw new InvalidOperationException("No PostgreSQL server under /usr/lib/postgresql/*/bin; ./test.sh installs it.")
            : throw new InvalidOperationException("No PostgreSQL server under /usr/lib/postgresql/*/bin; ./test.sh installs it.");

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, bool asRoot, CancellationToken cancellationToken)
    {
        using var process = Start(file, arguments, asRoot);
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited with {process.ExitCode}:{Environment.NewLine}{await output}{await error}");
        }
    }

    /// <summary>
    /// Starts <paramref name="file"/>, as the postgres user when <paramref name="asRoot"/>:
    /// setpriv switches user and then execs, so the pid is the server's own.
    /// </summary>
    private static Process Start(string file, IReadOnlyList<string> arguments, bool asRoot)
    {
        var start = new ProcessStartInfo(asRoot ? "setpriv" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (asRoot)
        {
            foreach (var argument in new[] { "--reuid", ServiceUser, "--regid", ServiceUser, "--init-groups", "--", file })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Locale and the server's own settings come from the arguments, not from whoever runs the tests.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal) || k.StartsWith("LC_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
