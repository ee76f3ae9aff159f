using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Demiurge.Edge;
using Demiurge.Edge.Nginx;
using Demiurge.Hosting;
using Demiurge.Store;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Demiurge.Tests.Edge.Servers;

/// <summary>
/// A real nginx master (<c>nginx -p DIR -c DIR/nginx.conf -g 'daemon off;'</c>) on a free
/// loopback port, its pid file, temp paths and sites folder in a temporary folder, and the
/// router pointed at it through a wrapper script that records every nginx invocation, following a SQLite store.
/// </summary>
public sealed partial class NginxFixture : IAsyncLifetime
{
    private const int SigQuit = 3;
    private const int SigKill = 9;

    private Process _nginx = null!;

    public TempDirectory Directory { get; } = new();

    public int Port { get; private set; }

    /// <summary>The TLS port the sites listen on too, with certificates of the local authority in the fixture's data folder.</summary>
    public int HttpsPort { get; private set; }

    /// <summary>The local certificate authority's certificate, once a site has been written.</summary>
    public string CertificateAuthorityPath => EdgeHost.CertificateAuthorityFile(Directory.Path);

    public string SitesDir => Path.Combine(Directory.Path, "sites");

    internal NginxEdgeRouter Router { get; private set; } = null!;

    /// <summary>The store the router writes to and follows, as every control plane's does.</summary>
    internal Stores Store { get; private set; } = null!;

    public TestBackend BackendA { get; private set; } = null!;

    public TestBackend BackendB { get; private set; } = null!;

    private string InvocationLog => Path.Combine(Directory.Path, "invocations.log");

    /// <summary>How many times the router has reloaded nginx so far.</summary>
    public int Reloads => File.Exists(InvocationLog) ? File.ReadAllLines(InvocationLog).Count(l => l.EndsWith("-s reload", StringComparison.Ordinal)) : 0;

    /// <summary>
    /// Waits until nginx runs one accepting worker (its configuration has <c>worker_processes 1</c>):
    /// workers of an older configuration are gone or have retitled themselves "shutting down",
    /// which they do once they have stopped accepting connections.
    /// </summary>
    public async Task WorkersSettledAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (AcceptingWorkers() > 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "nginx's older workers did not stop accepting connections.");
            await Task.Delay(20);
        }
    }

    private int AcceptingWorkers() =>
        System.IO.Directory.EnumerateDirectories("/proc")
            .Select(directory => (Status: Read(Path.Combine(directory, "status")), CommandLine: Read(Path.Combine(directory, "cmdline"))))
            .Count(p => p.Status.Contains($"\nPPid:\t{_nginx.Id}\n", StringComparison.Ordinal)
                && p.CommandLine.StartsWith("nginx: worker process", StringComparison.Ordinal)
                && !p.CommandLine.Contains("shutting down", StringComparison.Ordinal));

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty; // the process ended while we looked
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async ValueTask InitializeAsync()
    {
        BackendA = await TestBackend.StartAsync("a");
        BackendB = await TestBackend.StartAsync("b");
        var binary = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
        var dir = Directory.Path;
        System.IO.Directory.CreateDirectory(SitesDir);
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "logs"));
        Port = FreePorts.Tcp();
        HttpsPort = FreePorts.Tcp();

        // As root the master would hand workers to 'nobody', who cannot enter the temporary folder.
        var user = Environment.UserName == "root" ? "user root;" : "";
        await File.WriteAllTextAsync(Path.Combine(dir, "nginx.conf"), $$"""
            {{user}}
            worker_processes 1;
            error_log {{dir}}/logs/error.log warn;
            pid {{dir}}/nginx.pid;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{dir}}/body;
                proxy_temp_path {{dir}}/proxy;
                fastcgi_temp_path {{dir}}/fastcgi;
                uwsgi_temp_path {{dir}}/uwsgi;
                scgi_temp_path {{dir}}/scgi;
                include {{SitesDir}}/*.conf;
                server {
                    listen 127.0.0.1:{{Port}} default_server;
                    return 404;
                }
            }
            """);
        var wrapper = Path.Combine(dir, "nginx-recorded");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\necho \"$*\" >> '{InvocationLog}'\nexec {binary} \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        _nginx = Process.Start(new ProcessStartInfo(binary)
        {
            ArgumentList = { "-p", dir, "-c", Path.Combine(dir, "nginx.conf"), "-g", "daemon off;" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        await WaitForListenerAsync();

        var options = new DemiurgeOptions
        {
            Domain = EdgeContractTests.TestDomain,
            DataDir = dir,
            Edge = new EdgeOptions
            {
                Provider = EdgeOptions.Nginx,
                HttpPort = Port,
                HttpsPort = HttpsPort,
                NginxBinary = wrapper,
                NginxPrefix = dir,
                NginxConfig = Path.Combine(dir, "nginx.conf"),
                NginxSitesDir = SitesDir,
            },
        };
        Store = Stores.Sqlite(Path.Combine(dir, StoreExtensions.DatabaseFileName));
        await Store.Database.MigrateAsync(CancellationToken.None);
        Router = new NginxEdgeRouter(Store.Edge, Options.Create(options), Options.Create(options.Edge), TimeProvider.System, NullLogger<NginxEdgeRouter>.Instance);
        await Router.StartAsync(CancellationToken.None);
    }

    private async Task WaitForListenerAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (_nginx.HasExited)
            {
                throw new InvalidOperationException($"nginx exited: {await _nginx.StandardError.ReadToEndAsync()}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Router.StopAsync(CancellationToken.None);
        Router.Dispose();
        await Store.DisposeAsync();
        // A graceful quit of the master stops its workers too; killing the master would orphan them.
        if (!_nginx.HasExited)
        {
            _ = Kill(_nginx.Id, SigQuit);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _nginx.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _ = Kill(_nginx.Id, SigKill);
            }
        }

        _nginx.Dispose();
        await BackendA.DisposeAsync();
        await BackendB.DisposeAsync();
        Directory.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
