#pragma warning disable CA2022, CA1031, CA1849, CA2234
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Demiurge.Tests.Cli;

public sealed class ProbeTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<h1>bad</h1>\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<h1>hey</h1>\n")]
    [InlineData("HTTP/1.1 400 Bad\r\nContent-Type: application/problem+json\r\nContent-Length: 45\r\nConnection: close\r\n\r\n{\"title\":\"t\",\"errors\":{\"name\":[\"a\",{\"x\":1}]}}")]
    public async Task Probe_NonJson(string reply)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var c = await listener.AcceptTcpClientAsync();
            var s = c.GetStream();
            var buf = new byte[8192];
            _ = await s.ReadAsync(buf);
            await s.WriteAsync(Encoding.ASCII.GetBytes(reply));
        });
        try
        {
            var r = await CliResult.RunAsync("org", "list", "--server", $"http://127.0.0.1:{port}/", "--token", "x");
            log.WriteLine(r.ToString());
        }
        catch (Exception e)
        {
            log.WriteLine("THROWN " + e);
        }
        await serve;
    }

    [Fact]
    public async Task Probe_PathPrefix()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var c = await listener.AcceptTcpClientAsync();
            var s = c.GetStream();
            var buf = new byte[8192];
            var n = await s.ReadAsync(buf);
            log.WriteLine("REQUEST: " + Encoding.ASCII.GetString(buf, 0, n).Split('\r')[0]);
            await s.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]"));
        });
        var r = await CliResult.RunAsync("org", "list", "--server", $"http://127.0.0.1:{port}/api", "--token", "x");
        log.WriteLine(r.ToString());
        await serve;
    }

    [Fact]
    public async Task Probe_TypeAndSemantic()
    {
        using var d = new Demiurge.Tests.Infrastructure.TempDirectory();
        var r = await CliResult.RunAsync("up", "--api-port", "abc", "--domain", "Bad_Domain", "--admin-token", "short", "--data-dir", d.Path);
        log.WriteLine(r.ToString());
        r = await CliResult.RunAsync("up", "--data-dir", " ");
        log.WriteLine(r.ToString());
        r = await CliResult.RunAsync("project", "--help");
        log.WriteLine(r.ToString());
        r = await CliResult.RunAsync("org", "create", "x", "--server", "http://127.0.0.1:1/", "--token", "a b");
        log.WriteLine(r.ToString());
    }
}
