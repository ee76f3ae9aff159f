using Demiurge.Cli;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Cli;

/// <summary>
/// <c>demiurge up</c> and <c>demiurge controlplane</c> refuse bad settings before starting
/// anything, and list every problem in one go. Every case passes --data-dir, so a start that
/// slipped through would write to a temporary folder, never to the home folder.
/// </summary>
public sealed class ServeCommandTests
{
    [Theory]
    [InlineData("up")]
    [InlineData("controlplane")]
    public async Task Serve_ApiPortNotANumber_ExitsInvalidConfigurationNamingEverySpelling(string command)
    {
        using var dataDir = new TempDirectory();

        var result = (await CliResult.RunAsync(command, "--api-port", "abc", "--data-dir", dataDir.Path))
            .AssertExitCode(ExitCodes.InvalidConfiguration);

        var problem = Assert.Single(Problems(result));
        Assert.Contains("--api-port", problem, StringComparison.Ordinal);
        Assert.Contains("DEMIURGE_API_PORT", problem, StringComparison.Ordinal);
        Assert.Contains("Demiurge:ApiPort", problem, StringComparison.Ordinal);
        Assert.Contains("'abc'", problem, StringComparison.Ordinal);
        AssertNotStarted(result, dataDir);
    }

    [Theory]
    [InlineData("up")]
    [InlineData("controlplane")]
    public async Task Serve_SeveralInvalidSettings_ListsEveryErrorAtOnce(string command)
    {
        using var dataDir = new TempDirectory();

        var result = (await CliResult.RunAsync(command, "--api-port", "70000", "--domain", "Bad_Domain", "--admin-token", "short", "--data-dir", dataDir.Path))
            .AssertExitCode(ExitCodes.InvalidConfiguration);

        var problems = Problems(result);
        Assert.Equal(3, problems.Count);
        Assert.Single(problems, p => p.StartsWith("--api-port (DEMIURGE_API_PORT, Demiurge:ApiPort)", StringComparison.Ordinal) && p.Contains("70000", StringComparison.Ordinal));
        Assert.Single(problems, p => p.StartsWith("--domain (DEMIURGE_DOMAIN, Demiurge:Domain)", StringComparison.Ordinal) && p.Contains("'Bad_Domain'", StringComparison.Ordinal));
        Assert.Single(problems, p => p.StartsWith("--admin-token (DEMIURGE_ADMIN_TOKEN, Demiurge:AdminToken)", StringComparison.Ordinal));

        // The rejected token is a secret: the message says what is wrong without echoing it.
        Assert.DoesNotContain("'short'", result.Error, StringComparison.Ordinal);
        AssertNotStarted(result, dataDir);
    }

    [Fact]
    public async Task Serve_TypeErrorAndRangeErrors_ListedTogether()
    {
        using var dataDir = new TempDirectory();

        var result = (await CliResult.RunAsync("up", "--api-port", "abc", "--domain", "Bad_Domain", "--admin-token", "short", "--data-dir", dataDir.Path))
            .AssertExitCode(ExitCodes.InvalidConfiguration);

        var problems = Problems(result);
        Assert.Equal(3, problems.Count);
        Assert.Single(problems, p => p.StartsWith("--api-port", StringComparison.Ordinal) && p.Contains("'abc'", StringComparison.Ordinal));
        Assert.Single(problems, p => p.StartsWith("--domain", StringComparison.Ordinal));
        Assert.Single(problems, p => p.StartsWith("--admin-token", StringComparison.Ordinal));
        AssertNotStarted(result, dataDir);
    }

    [Theory]
    [InlineData("ftp://10.0.0.5:5080")]
    [InlineData("http://10.0.0.5:5080/api")]
    [InlineData("10.0.0.5:5080")]
    public async Task Controlplane_AdvertiseUrlNotAnHttpBase_RefusedByName(string url)
    {
        using var dataDir = new TempDirectory();

        var result = (await CliResult.RunAsync("controlplane", "--advertise-url", url, "--data-dir", dataDir.Path))
            .AssertExitCode(ExitCodes.InvalidConfiguration);

        var problem = Assert.Single(Problems(result));
        Assert.StartsWith("--advertise-url (DEMIURGE_ADVERTISE_URL, Demiurge:AdvertiseUrl)", problem, StringComparison.Ordinal);
        Assert.Contains($"'{url}'", problem, StringComparison.Ordinal);
        AssertNotStarted(result, dataDir);
    }

    [Theory]
    [InlineData("20000", "is not a port range")]
    [InlineData("7150-7160", "overlaps --pool-ports")]
    [InlineData("5000-5100", "holds --api-port")]
    public async Task Controlplane_ContainerPortsInvalidOrThePlatformsOwn_RefusedByName(string range, string error)
    {
        using var dataDir = new TempDirectory();

        var result = (await CliResult.RunAsync("controlplane", "--container-ports", range, "--api-port", "5080", "--data-dir", dataDir.Path))
            .AssertExitCode(ExitCodes.InvalidConfiguration);

        var problem = Assert.Single(Problems(result));
        Assert.StartsWith("--container-ports (DEMIURGE_CONTAINER_PORTS, Demiurge:Gateway:ContainerPorts)", problem, StringComparison.Ordinal);
        Assert.Contains(error, problem, StringComparison.Ordinal);
        AssertNotStarted(result, dataDir);
    }

    [Fact]
    public async Task Controlplane_ContainerPortsOverThePoolAndTheApi_BothNamedAtOnce()
    {
        using var dataDir = new TempDirectory();

        var result = (await CliResult.RunAsync("controlplane", "--container-ports", "5000-7150", "--api-port", "5080", "--data-dir", dataDir.Path))
            .AssertExitCode(ExitCodes.InvalidConfiguration);

        var problems = Problems(result).ToArray();
        Assert.Equal(2, problems.Length);
        Assert.Contains(problems, p => p.Contains("overlaps --pool-ports", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("holds --api-port", StringComparison.Ordinal));
        AssertNotStarted(result, dataDir);
    }

    [Fact]
    public async Task Up_RoomLimitsOutOfRange_EachRefusedByNameAtOnce()
    {
        using var dataDir = new TempDirectory();

        var result = (await CliResult.RunAsync("up", "--data-dir", dataDir.Path,
                "--room-message-max-bytes", "100", "--room-updates-per-second", "0", "--room-connections", "0", "--rooms", "-1"))
            .AssertExitCode(ExitCodes.InvalidConfiguration);

        var problems = Problems(result);
        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("--room-message-max-bytes (DEMIURGE_ROOM_MESSAGE_MAX_BYTES, Demiurge:Gateway:RoomMessageMaxBytes) must be from 1KiB", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("--room-updates-per-second", StringComparison.Ordinal) && p.EndsWith("not 0.", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("--room-connections", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("--rooms (", StringComparison.Ordinal) && p.EndsWith("not -1.", StringComparison.Ordinal));
        AssertNotStarted(result, dataDir);
    }

    [Fact]
    public async Task Up_LogFormatUnknown_RefusedByName()
    {
        using var dataDir = new TempDirectory();

        var result = (await CliResult.RunAsync("up", "--log-format", "xml", "--data-dir", dataDir.Path))
            .AssertExitCode(ExitCodes.InvalidConfiguration);

        var problem = Assert.Single(Problems(result));
        Assert.StartsWith("--log-format (DEMIURGE_LOG_FORMAT, Demiurge:LogFormat) 'xml' is not one of text, json", problem, StringComparison.Ordinal);
        AssertNotStarted(result, dataDir);
    }

    /// <summary>The "  - " lines under "Invalid configuration:", asserting that header.</summary>
    private static List<string> Problems(CliResult result)
    {
        var lines = result.Error.TrimEnd().Split(Environment.NewLine);
        Assert.Equal("Invalid configuration:", lines[0]);
        Assert.All(lines[1..], l => Assert.StartsWith("  - ", l, StringComparison.Ordinal));
        return [.. lines[1..].Select(l => l["  - ".Length..])];
    }

    private static void AssertNotStarted(CliResult result, TempDirectory dataDir)
    {
        Assert.Empty(result.Output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dataDir.Path));
    }
}
