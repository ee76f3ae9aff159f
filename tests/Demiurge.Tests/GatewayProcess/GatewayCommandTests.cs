using Demiurge.Common;
using Demiurge.Tests.Infrastructure;
using Demiurge.Cli.Commands;
using Demiurge.GatewayProcess;
using Demiurge.Hosting;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>How <c>demiurge gateway</c> turns flags and the environment into options, and what it refuses.</summary>
public sealed class GatewayCommandTests
{
    private const string Token = "gw_0123456789abcdef";

    [Fact]
    public void ParseOptions_ValidArguments_BuildsOptions()
    {
        var options = GatewayCommand.ParseOptions(
            new GatewayArguments("http://127.0.0.1:5080/", "4100", "gw-1", "90s", "500ms"), Environment(Token));

        Assert.Equal(new Uri("http://127.0.0.1:5080/"), options.ControlPlane);
        Assert.Equal(4100, options.Port);
        Assert.Equal("gw-1", options.GatewayId);
        Assert.Equal(Token, options.GatewayToken);
        Assert.Equal(TimeSpan.FromSeconds(90), options.InactivityTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.AutosaveInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.TickInterval); // a quarter of the rooms' save delay
    }

    [Fact]
    public void ParseOptions_RoomLimits_ParsedOrDefaulted_InvalidOnesAllListed()
    {
        var defaults = GatewayCommand.ParseOptions(new GatewayArguments("http://127.0.0.1:5080", "0", "gw-1", "off", "30s"), Environment(Token));
        var set = GatewayCommand.ParseOptions(new GatewayArguments("http://127.0.0.1:5080", "0", "gw-1", "off", "30s",
            RoomMessageMaxBytes: "2048", RoomUpdatesPerSecond: "7", RoomConnections: "3", Rooms: "9"), Environment(Token));

        Assert.Equal(Demiurge.GatewayProcess.Rooms.RoomLimits.Default, defaults.RoomLimits);
        Assert.Equal(new Demiurge.GatewayProcess.Rooms.RoomLimits { MessageMaxBytes = 2048, UpdatesPerSecond = 7, ConnectionsPerRoom = 3, RoomsPerGateway = 9 }, set.RoomLimits);
        var error = Assert.Throws<ConfigurationException>(() => GatewayCommand.ParseOptions(new GatewayArguments("http://127.0.0.1:5080", "0", "gw-1", "off", "30s",
            RoomMessageMaxBytes: "10", RoomUpdatesPerSecond: "many", RoomConnections: "0", Rooms: "-1"), Environment(Token)));
        Assert.Equal(4, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Contains("--room-message-max-bytes", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("--room-updates-per-second 'many'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("--room-connections", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("--rooms '-1'", StringComparison.Ordinal));
    }

    [Fact]
    public void ParseOptions_RoomSaveCadenceAndIdleUnload_ParsedOrDefaulted_InvalidOnesListed()
    {
        var set = GatewayCommand.ParseOptions(new GatewayArguments("http://127.0.0.1:5080", "0", "gw-1", "off", "30s",
            RoomSaveDelay: "2s", RoomSaveMaxDelay: "10s", RoomIdleUnload: "5m"), Environment(Token));

        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)), (set.RoomLimits.SaveDelay, set.RoomLimits.SaveMaxDelay, set.RoomLimits.IdleUnload));
        Assert.Equal(TimeSpan.FromMilliseconds(500), set.TickInterval);
        var error = Assert.Throws<ConfigurationException>(() => GatewayCommand.ParseOptions(new GatewayArguments("http://127.0.0.1:5080", "0", "gw-1", "off", "30s",
            RoomSaveDelay: "soon", RoomSaveMaxDelay: "500ms", RoomIdleUnload: "0s"), Environment(Token)));
        Assert.Equal(3, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Contains("--room-save-delay 'soon'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("--room-save-max-delay (00:00:00.5000000) must not be shorter", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("--room-idle-unload must be longer than zero", StringComparison.Ordinal));
    }

    [Fact]
    public void ParseOptions_InactivityOff_IsNull()
    {
        var options = GatewayCommand.ParseOptions(new GatewayArguments("http://127.0.0.1:5080", "0", "gw-1", "off", "30s"), Environment(Token));

        Assert.Null(options.InactivityTimeout);
        Assert.Equal(Demiurge.GatewayProcess.Rooms.RoomLimits.DefaultSaveDelay / 4, options.TickInterval);
    }

    [Fact]
    public void ParseOptions_OAuthCleanupInterval_ParsedOrDefaultedToAnHour()
    {
        var given = GatewayCommand.ParseOptions(new GatewayArguments("http://127.0.0.1:5080", "0", "gw-1", "5m", "30s", "15m"), Environment(Token));
        var defaulted = GatewayCommand.ParseOptions(new GatewayArguments("http://127.0.0.1:5080", "0", "gw-1", "5m", "30s"), Environment(Token));

        Assert.Equal(TimeSpan.FromMinutes(15), given.OAuthCleanupInterval);
        Assert.Equal(TimeSpan.FromHours(1), defaulted.OAuthCleanupInterval);
    }

    [Fact]
    public void ParseOptions_ContainerPorts_ParsedOrDefaultedOrRefused()
    {
        var given = GatewayCommand.ParseOptions(new GatewayArguments("http://127.0.0.1:5080", "0", "gw-1", "5m", "30s", ContainerPorts: "21000-21009"), Environment(Token));
        var defaulted = GatewayCommand.ParseOptions(new GatewayArguments("http://127.0.0.1:5080", "0", "gw-1", "5m", "30s"), Environment(Token));
        var exception = Assert.Throws<ConfigurationException>(() => GatewayCommand.ParseOptions(
            new GatewayArguments("http://127.0.0.1:5080", "0", "gw-1", "5m", "30s", ContainerPorts: "9-1"), Environment(Token)));

        Assert.Equal(new Demiurge.Common.PortRange(21000, 21009), given.ContainerPorts);
        Assert.Equal(new Demiurge.Common.PortRange(20000, 29999), defaulted.ContainerPorts);
        Assert.StartsWith("--container-ports '9-1' is not a port range", Assert.Single(exception.Errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("off", "--oauth-cleanup-interval 'off' is not a duration")]
    [InlineData("0s", "--oauth-cleanup-interval must be longer than zero")]
    [InlineData("1d", "--oauth-cleanup-interval '1d' is not a duration")]
    public void ParseOptions_OAuthCleanupIntervalInvalid_Refused(string value, string error)
    {
        var exception = Assert.Throws<ConfigurationException>(() => GatewayCommand.ParseOptions(
            new GatewayArguments("http://127.0.0.1:5080", "0", "gw-1", "5m", "30s", value), Environment(Token)));

        Assert.StartsWith(error, Assert.Single(exception.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_OAuthCleanupIntervalZero_Refused()
    {
        var options = new GatewayProcessOptions
        {
            ControlPlane = new Uri("http://127.0.0.1:5080"),
            Port = 0,
            GatewayId = "gw-1",
            GatewayToken = Token,
            ControlPlaneKeys = TestSigningKey.Keys,
            OAuthCleanupInterval = TimeSpan.Zero,
        };

        var exception = Assert.Throws<ConfigurationException>(() => GatewayHost.Create(options));

        Assert.Equal("--oauth-cleanup-interval must be longer than zero.", Assert.Single(exception.Errors));
    }

    [Fact]
    public void ParseOptions_EverythingWrong_ListsEveryError()
    {
        var exception = Assert.Throws<ConfigurationException>(() => GatewayCommand.ParseOptions(
            new GatewayArguments("not a url", "abc", "bad id!", "0s", "1d"), Environment(null)));

        Assert.Equal(6, exception.Errors.Count);
        Assert.Contains(exception.Errors, e => e.StartsWith("--control-plane 'not a url'", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.StartsWith("--port 'abc' is not a whole number", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.StartsWith("--gateway-id", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.StartsWith("--inactivity-timeout must be longer than zero", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.StartsWith("--autosave-interval '1d' is not a duration", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.StartsWith("DEMIURGE_GATEWAY_TOKEN must be set", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("JSON")]
    [InlineData("xml")]
    [InlineData("")]
    public void ParseOptions_LogFormatNotTextOrJson_Refused(string format)
    {
        var exception = Assert.Throws<ConfigurationException>(() => GatewayCommand.ParseOptions(
            new GatewayArguments("http://127.0.0.1:5080", "0", "gw-1", "5m", "30s", LogFormat: format), Environment(Token)));

        Assert.Equal($"--log-format '{format}' is not one of text, json.", Assert.Single(exception.Errors));
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public void Configuration_LogFormat_IsTheSettingEveryRoleReads(string format)
    {
        var arguments = new GatewayArguments("http://127.0.0.1:5080", "0", "gw-1", "5m", "30s", LogFormat: format);

        _ = GatewayCommand.ParseOptions(arguments, Environment(Token));

        Assert.Equal([new(Settings.LogFormat.ConfigurationKey, format)], GatewayCommand.Configuration(arguments));
        Assert.Empty(GatewayCommand.Configuration(arguments with { LogFormat = null }));
    }

    [Fact]
    public void ParseOptions_TokenWithWhiteSpace_RefusedWithoutEchoingIt()
    {
        var exception = Assert.Throws<ConfigurationException>(() => GatewayCommand.ParseOptions(
            new GatewayArguments("http://127.0.0.1:5080", "0", "gw-1", "5m", "30s"), Environment("secret with spaces")));

        var error = Assert.Single(exception.Errors);
        Assert.StartsWith(Demiurge.Protocol.WorkerEnvironment.GatewayToken, error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_InvalidOptions_ThrowsListingEveryError()
    {
        var options = new GatewayProcessOptions
        {
            ControlPlane = new Uri("ftp://example.com"),
            Port = -1,
            GatewayId = string.Empty,
            GatewayToken = string.Empty,
            ControlPlaneKeys = TestSigningKey.Keys,
            InactivityTimeout = TimeSpan.Zero,
            AutosaveInterval = TimeSpan.Zero,
        };

        var exception = Assert.Throws<ConfigurationException>(() => GatewayHost.Create(options));

        Assert.Equal(6, exception.Errors.Count);
    }

    private static Dictionary<string, string?> Environment(string? token) =>
        new() { [Demiurge.Protocol.WorkerEnvironment.GatewayToken] = token, [Demiurge.Protocol.WorkerEnvironment.ControlPlaneKeys] = TestSigningKey.Variable };
}
