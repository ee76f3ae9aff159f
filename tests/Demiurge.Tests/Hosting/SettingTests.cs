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
}
