using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Demiurge.Tests.Dns.Servers;

/// <summary>Runs the real <c>dig</c> (bind9-dnsutils) against a server and reads its answer.</summary>
public static partial class Dig
{
    public const string Path = "/usr/bin/dig";

    /// <summary>
    /// <c>dig @server -p port name type +norec</c> plus <paramref name="options"/> (e.g. <c>+tcp</c>,
    /// <c>+bufsize=4096</c>, <c>+noedns</c>), one try with a short timeout.
    /// </summary>
    public static async Task<DigResult> QueryAsync(IPEndPoint server, string name, string type, params string[] options)
    {
        var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[$"@{server.Address}", "-p", server.Port.ToString(CultureInfo.InvariantCulture), name, type, "+norec", "+time=5", "+tries=1", .. options])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return DigResult.Parse(output);
    }
}

/// <summary>What dig printed, by section.</summary>
public sealed partial record DigResult(string Output, string? Status, IReadOnlySet<string> Flags, IReadOnlyList<DigRecord> Answer, IReadOnlyList<DigRecord> Authority, int? EdnsUdpSize, int? MessageSize, string? Transport)
{
    public IEnumerable<string> Values(string type) => Answer.Where(r => r.Type == type).Select(r => r.Data);

    public static DigResult Parse(string output)
    {
        var lines = output.Split('\n');
        IReadOnlyList<DigRecord> Section(string title) => lines
            .SkipWhile(l => l != $";; {title} SECTION:").Skip(1)
            .TakeWhile(l => l.Length > 0)
            .Select(DigRecord.Parse)
            .ToList();
        var status = StatusPattern().Match(output);
        var flags = FlagsPattern().Matches(output);
        var edns = EdnsPattern().Match(output);
        var size = SizePattern().Match(output);
        var transport = TransportPattern().Matches(output);
        return new DigResult(
            output,
            status.Success ? status.Groups[1].Value : null,
            flags.Count > 0 ? flags[^1].Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet() : new HashSet<string>(),
            Section("ANSWER"),
            Section("AUTHORITY"),
            edns.Success ? int.Parse(edns.Groups[1].Value, CultureInfo.InvariantCulture) : null,
            size.Success ? int.Parse(size.Groups[1].Value, CultureInfo.InvariantCulture) : null,
            transport.Count > 0 ? transport[^1].Groups[1].Value : null);
    }

    [GeneratedRegex(@"status: ([A-Z]+)")]
    private static partial Regex StatusPattern();

    [GeneratedRegex(@";; flags: ([a-z ]*);")]
    private static partial Regex FlagsPattern();

    [GeneratedRegex(@"; EDNS: version: \d+, flags:[^;]*; udp: (\d+)")]
    private static partial Regex EdnsPattern();

    [GeneratedRegex(@";; MSG SIZE\s+rcvd: (\d+)")]
    private static partial Regex SizePattern();

    [GeneratedRegex(@";; SERVER: .*\((UDP|TCP)\)")]
    private static partial Regex TransportPattern();
}

/// <summary>One record line: <c>name ttl class type data</c>.</summary>
public sealed record DigRecord(string Name, int Ttl, string Type, string Data)
{
    public static DigRecord Parse(string line)
    {
        var parts = line.Split((char[])[' ', '\t'], 5, StringSplitOptions.RemoveEmptyEntries);
        return new DigRecord(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), parts[3], parts.Length > 4 ? parts[4].Trim() : string.Empty);
    }
}
