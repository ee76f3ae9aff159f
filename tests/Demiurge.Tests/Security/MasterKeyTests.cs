using Demiurge.Common;
using Demiurge.Hosting;
using Demiurge.Security;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Security;

/// <summary>The master key opens the store's key ring, or the control plane does not start.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MasterKeyTests
{
    [Fact]
    public async Task Start_NewStore_CreatesAMasterKeyFileReadableByItsOwnerOnly_AndARestartOpensTheRing()
    {
        using var dataDir = new TempDirectory();
        await StartAndStopAsync(dataDir.Path, masterKey: null);
        var file = Path.Combine(dataDir.Path, MasterKey.FileName);

        Assert.True(File.Exists(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(file).Trim()).Length);
        await StartAndStopAsync(dataDir.Path, masterKey: null);
    }

    [Fact]
    public async Task Start_AnotherMasterKeyThanTheRings_RefusedNamingTheFix()
    {
        using var dataDir = new TempDirectory();
        await StartAndStopAsync(dataDir.Path, masterKey: null);

        var exception = await Assert.ThrowsAsync<ConfigurationException>(() => StartAndStopAsync(dataDir.Path, MasterKey.NewEncoded()));

        Assert.Contains("does not open the store's key ring", Assert.Single(exception.Errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public async Task Start_MalformedMasterKey_RefusedWithoutEchoingIt(string masterKey)
    {
        using var dataDir = new TempDirectory();

        var exception = await Assert.ThrowsAsync<ConfigurationException>(() => StartAndStopAsync(dataDir.Path, masterKey));

        var error = Assert.Single(exception.Errors);
        Assert.Contains("32 bytes in base64", error, StringComparison.Ordinal);
        Assert.DoesNotContain(masterKey, error, StringComparison.Ordinal);
    }

    private static async Task StartAndStopAsync(string dataDir, string? masterKey)
    {
        var settings = ControlPlaneFixture.QuietSettings(dataDir);
        foreach (var (key, value) in TestStore.Settings(dataDir))
        {
            settings[key] = value;
        }

        settings[Settings.MasterKey.ConfigurationKey] = masterKey;
        await using var controlPlane = ControlPlane.Create(settings, environment: new Dictionary<string, string>());
        await controlPlane.StartAsync(CancellationToken.None);
        await controlPlane.StopAsync(CancellationToken.None);
    }
}
