using Demiurge.Hosting;
using Demiurge.Security;
using Demiurge.Store;
using Demiurge.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.Security;

/// <summary>
/// Data Protection's keys (session cookies, antiforgery tokens) live in the store, sealed by the
/// master key: what one control plane protects, another of the same store reads, each with its
/// own data dir.
/// </summary>
public sealed class DataProtectionKeysTests(PostgresClusterFixture cluster) : IClassFixture<PostgresClusterFixture>
{
    [Fact]
    public async Task Protect_OnOneControlPlane_UnprotectedOnAnotherOfTheStore_AndTheStoreHoldsNoClearKey()
    {
        var connection = cluster.Server.CreateDatabase();
        var masterKey = MasterKey.NewEncoded();
        using var firstDir = new TempDirectory();
        using var secondDir = new TempDirectory();
        await using var first = await StartAsync(firstDir.Path, connection, masterKey);
        await using var second = await StartAsync(secondDir.Path, connection, masterKey);

        var cookie = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("session").Protect("alice's session");

        Assert.Equal("alice's session", second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("session").Unprotect(cookie));
        var stored = await first.Services.GetRequiredService<IDataProtectionKeyStore>().DataProtectionKeyListAsync(CancellationToken.None);
        Assert.NotEmpty(stored);
        Assert.All(stored, key => Assert.DoesNotContain("masterKey", key.Sealed, StringComparison.OrdinalIgnoreCase));
        Assert.All(stored, key => Assert.DoesNotContain("<key", key.Sealed, StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(firstDir.Path, "keys")));
    }

    private static async Task<ControlPlane> StartAsync(string dataDir, string connection, string masterKey)
    {
        var settings = ControlPlaneFixture.QuietSettings(dataDir);
        settings[StoreSettings.Provider.ConfigurationKey] = StoreOptions.Postgres;
        settings[StoreSettings.Postgres.ConfigurationKey] = connection;
        settings[Settings.MasterKey.ConfigurationKey] = masterKey;
        var controlPlane = ControlPlane.Create(settings, environment: new Dictionary<string, string>());
        await controlPlane.StartAsync(CancellationToken.None);
        return controlPlane;
    }
}
