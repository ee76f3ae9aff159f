using Demiurge.Common;
using Demiurge.Hosting;

namespace Demiurge.Tests.Hosting;

public sealed class SettingTests
{
    [Theory]
    [InlineData("DataDir", "--data-dir", "DEMIURGE_DATA_DIR", "Demiurge:DataDir")]
    [InlineData("Pool:MinReady", "--pool-min-ready", "DEMIURGE_POOL_MIN_READY", "Demiurge:Pool:MinReady")]
    [InlineData("Gateway:OAuthCleanupInterval", "--gateway-oauth-cleanup-interval", "DEMIURGE_GATEWAY_OAUTH_CLEANUP_INTERVAL", "Demiurge:Gateway:OAuthCleanupInterval")]
    public void Names_DerivedFromTheKey_AreConsistent(string key, string flag, string variable, string configurationKey)
    {
        var setting = new Setting(key, typeof(string), "test");

        Assert.Equal(flag, setting.Flag);
        Assert.Equal(variable, setting.EnvironmentVariable);
        Assert.Equal(configurationKey, setting.ConfigurationKey);
    }

    [Fact]
    public void ControlPlaneSettings_HaveDistinctFlagsAndVariables()
    {
        Assert.Equal(Settings.ControlPlane.Count, Settings.ControlPlane.Select(s => s.Flag).Distinct().Count());
        Assert.Equal(Settings.ControlPlane.Count, Settings.ControlPlane.Select(s => s.EnvironmentVariable).Distinct().Count());
    }

    [Theory]
    [InlineData("12", null)]
    [InlineData("abc", "'abc' is not a valid whole number")]
    [InlineData("99999999999", "is not a valid whole number")]
    public void TypeError_IntegerSetting_NamesTheValue(string value, string? expected)
    {
        var error = Settings.ApiPort.TypeError(value);

        if (expected is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Contains(expected, error, StringComparison.Ordinal);
            Assert.Contains("--api-port", error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("5m", null)]
    [InlineData("off", "'off' is not a duration")]
    [InlineData("5", "'5' is not a duration")]
    public void TypeError_DurationSetting_RefusesOffAndBareNumbers(string value, string? expected) =>
        AssertTypeError(Settings.PoolCheckInterval, value, expected);

    [Theory]
    [InlineData("off", null)]
    [InlineData("90s", null)]
    [InlineData("later", "or off")]
    public void TypeError_OptionalDurationSetting_AcceptsOff(string value, string? expected) =>
        AssertTypeError(Settings.GatewayInactivityTimeout, value, expected);

    [Theory]
    [InlineData("7100-7199", null)]
    [InlineData("7199-7100", "is not a port range")]
    [InlineData("20000", "is not a port range")]
    public void TypeError_PortRangeSetting_NamesTheSyntax(string value, string? expected) =>
        AssertTypeError(Settings.PoolPorts, value, expected);

    [Theory]
    [InlineData("Pool:CheckInterval", "300ms", "00:00:00.3000000")]
    [InlineData("Gateway:InactivityTimeout", "off", "")]
    [InlineData("RateLimit:Requests", "off", "")]
    [InlineData("Pool:Ports", "7100-7199", "7100-7199")]
    public void Bindable_OurSpelling_BecomesTheBindersSpelling(string key, string value, string expected) =>
        Assert.Equal(expected, Settings.ControlPlane.Single(s => s.Key == key).Bindable(value));

    [Fact]
    public async Task Create_TypedSettings_BoundOnceIntoTheOptions()
    {
        using var dataDir = new Infrastructure.TempDirectory();
        var settings = Infrastructure.ControlPlaneFixture.QuietSettings(dataDir.Path);
        settings[Settings.PoolCheckInterval.ConfigurationKey] = "300ms";
        settings[Settings.GatewayInactivityTimeout.ConfigurationKey] = "off";
        settings[Settings.PoolPorts.ConfigurationKey] = "7300-7399";
        settings[Settings.GatewayOrganizationStorageQuota.ConfigurationKey] = "1GiB";

        await using var controlPlane = ControlPlane.Create(settings, environment: new Dictionary<string, string>());

        var options = controlPlane.Options;
        Assert.Equal(TimeSpan.FromMilliseconds(300), options.Pool.CheckInterval);
        Assert.Null(options.Gateway.InactivityTimeout);
        Assert.Equal(new Demiurge.Common.PortRange(7300, 7399), options.Pool.Ports);
        Assert.Equal(1L << 30, options.Gateway.OrganizationStorageQuota.Bytes);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Gateway.AutosaveInterval);
    }

    [Fact]
    public void Create_ValuesOfTheWrongType_EachReportedOnce()
    {
        using var dataDir = new Infrastructure.TempDirectory();
        var settings = Infrastructure.ControlPlaneFixture.QuietSettings(dataDir.Path);
        settings[Settings.PoolCheckInterval.ConfigurationKey] = "soon";
        settings[Settings.PoolPorts.ConfigurationKey] = "lots";
        settings[Settings.GatewayOrganizationStorageQuota.ConfigurationKey] = "big";

        var exception = Assert.Throws<ConfigurationException>(() => ControlPlane.Create(settings, environment: new Dictionary<string, string>()));

        // The defaults stand in for the check of the rest: no "must be longer than zero" or "holds fewer ports" besides.
        Assert.Equal(3, exception.Errors.Count);
        Assert.Single(exception.Errors, e => e.StartsWith("--pool-check-interval", StringComparison.Ordinal) && e.Contains("'soon' is not a duration", StringComparison.Ordinal));
        Assert.Single(exception.Errors, e => e.StartsWith("--pool-ports", StringComparison.Ordinal) && e.Contains("'lots' is not a port range", StringComparison.Ordinal));
        Assert.Single(exception.Errors, e => e.StartsWith("--org-storage-quota", StringComparison.Ordinal) && e.Contains("'big'", StringComparison.Ordinal));
    }

    private static void AssertTypeError(Setting setting, string value, string? expected)
    {
        var error = setting.TypeError(value);
        if (expected is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Contains(expected, error, StringComparison.Ordinal);
            Assert.StartsWith(setting.Flag, error, StringComparison.Ordinal);
        }
    }
}
