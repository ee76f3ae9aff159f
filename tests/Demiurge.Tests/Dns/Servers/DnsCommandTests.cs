using System.Net;
using Demiurge.Dns;
using Demiurge.Store;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Dns.Servers;

/// <summary><c>demiurge dns</c> and <c>demiurge up</c> as processes, queried with dig.</summary>
public sealed class DnsCommandTests
{
    [Fact]
    public async Task Dns_AnotherProcessWrites_AnswersFollowThenCtrlCStops()
    {
        using var dataDir = new TempDirectory();
        await using var process = DemiurgeProcess.Start(["dns", "--data-dir", dataDir.Path, "--domain", "cmd.test", "--dns-port", "0"]);
        var endPoint = ParseEndPoint(await process.WaitForOutputAsync("DNS:"));
        await process.WaitForOutputAsync("Press Ctrl-C");
        await using var store = Stores.Sqlite(Path.Combine(dataDir.Path, StoreExtensions.DatabaseFileName));

        var before = await Dig.QueryAsync(endPoint, "org-other.cmd.test", "A");
        await store.Dns.DnsRecordSetsApplyAsync([new DnsRecordSet("org-other.cmd.test", "A", 60, ["127.0.0.9"])], CancellationToken.None);
        var after = await PollAsync(() => Dig.QueryAsync(endPoint, "org-other.cmd.test", "A"), r => r.Status == "NOERROR");
        process.Signal(DemiurgeProcess.SigInt);

        Assert.Equal("NXDOMAIN", before.Status);
        Assert.Equal(["127.0.0.9"], after.Values("A"));
        Assert.Equal(0, await process.WaitForExitAsync());
        Assert.Contains("Demiurge DNS stopped.", process.StandardOutput);
    }

    [Fact]
    public async Task Dns_PortTaken_ClearErrorAndUnavailable()
    {
        using var dataDir = new TempDirectory();
        using var taken = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)taken.Client.LocalEndPoint!).Port;

        await using var process = DemiurgeProcess.Start(["dns", "--data-dir", dataDir.Path, "--dns-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        Assert.Equal(69, await process.WaitForExitAsync());
        Assert.Contains(process.StandardError, l => l.Contains($"cannot listen on 127.0.0.1:{port}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Up_ServesDnsInProcess_PrintedInTheBanner()
    {
        using var dataDir = new TempDirectory();
        await using var process = DemiurgeProcess.Start(["up", "--data-dir", dataDir.Path, "--api-port", "0", "--pool-size", "0", "--pool-min-ready", "0", "--pool-ports", PortBlocks.Next()]);
        var endPoint = ParseEndPoint(await process.WaitForOutputAsync("DNS:"));

        var soa = await Dig.QueryAsync(endPoint, "demiurge.localhost", "SOA");
        var api = await Dig.QueryAsync(endPoint, "ganymede.demiurge.localhost", "A");

        Assert.Equal("NOERROR", soa.Status);
        Assert.Equal(["127.0.0.1"], api.Values("A"));
    }

    // "127.0.0.1:5353 (UDP and TCP), ..." → the end point.
    private static IPEndPoint ParseEndPoint(string line) => IPEndPoint.Parse(line.Split(' ')[0]);

    // The standalone server learns of another process's write on its next poll, a fraction of a second later.
    private static async Task<DigResult> PollAsync(Func<Task<DigResult>> query, Func<DigResult, bool> done)
    {
        for (var attempt = 0; ; attempt++)
        {
            var result = await query();
            if (done(result) || attempt == 100)
            {
                return result;
            }

            await Task.Delay(100);
        }
    }
}
