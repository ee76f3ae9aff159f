using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Demiurge.Edge;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Edge.Servers;

/// <summary>
/// A real nginx master (<c>nginx -p DIR -c DIR/nginx.conf -g 'daemon off;'</c>) on free loopback
/// ports, its pid file, temp paths and sites folder in <see cref="Folder"/>, with a wrapper script
/// (<see cref="Binary"/>) that records every nginx invocation, for Demiurge to drive it.
/// </summary>
public sealed partial class NginxServer : IAsyncDisposable
{
    private const int SigQuit = 3;
    private const int SigKill = 9;

    private readonly Process _nginx;

    private NginxServer(string folder, int port, int httpsPort, Process nginx)
    {
        Folder = folder;
        Port = port;
        HttpsPort = httpsPort;
        _nginx = nginx;
    }

    public string Folder { get; }

    /// <summary>The plain HTTP port the sites listen on.</summary>
    public int Port { get; }

    /// <summary>The TLS port the sites listen on too.</summary>
    public int HttpsPort { get; }

    public string SitesDir => Path.Combine(Folder, "sites");

    public string Config => Path.Combine(Folder, "nginx.conf");

    /// <summary>The wrapper to run as nginx: it records each invocation, then runs nginx.</summary>
    public string Binary => Path.Combine(Folder, "nginx-recorded");

    private string InvocationLog => Path.Combine(Folder, "invocations.log");

    /// <summary>How many times nginx has been reloaded through <see cref="Binary"/> so far.</summary>
    public int Reloads => File.Exists(InvocationLog) ? File.ReadAllLines(InvocationLog).Count(l => l.EndsWith("-s reload", StringComparison.Ordinal)) : 0;

    /// <summary>Edge options that drive this nginx, with <paramref name="certificatesDir"/> as the operator's certificates when given.</summary>
    internal EdgeOptions EdgeOptions(string? certificatesDir = null) => new()
    {
        Provider = Demiurge.Edge.EdgeOptions.Nginx,
        HttpPort = Port,
        HttpsPort = HttpsPort,
        NginxBinary = Binary,
        NginxPrefix = Folder,
        NginxConfig = Config,
        NginxSitesDir = SitesDir,
        NginxCertificatesDir = certificatesDir,
    };

    /// <summary>Starts nginx in <paramref name="folder"/>, serving 404 on its port until sites are written.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static async Task<NginxServer> StartAsync(string folder)
    {
        var binary = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
        var sites = Path.Combine(folder, "sites");
        Directory.CreateDirectory(sites);
        Directory.CreateDirectory(Path.Combine(folder, "logs"));
        var port = FreePorts.Tcp();
        var httpsPort = FreePorts.Tcp();

        // As root the master would hand workers to 'nobody', who cannot enter the temporary folder.
        var user = Environment.UserName == "root" ? "user root;" : "";
        await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), $$"""
            {{user}}
            worker_processes 1;
            error_log {{folder}}/logs/error.log warn;
            pid {{folder}}/nginx.pid;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{folder}}/body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
                include {{sites}}/*.conf;
                server {
                    listen 127.0.0.1:{{port}} default_server;
                    return 404;
                }
            }
            """);
        var wrapper = Path.Combine(folder, "nginx-recorded");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\necho \"$*\" >> '{Path.Combine(folder, "invocations.log")}'\nexec {binary} \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var nginx = Process.Start(new ProcessStartInfo(binary)
        {
            ArgumentList = { "-p", folder, "-c", Path.Combine(folder, "nginx.conf"), "-g", "daemon off;" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var server = new NginxServer(folder, port, httpsPort, nginx);
        try
        {
            await server.WaitForListenerAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

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
        Directory.EnumerateDirectories("/proc")
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
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
