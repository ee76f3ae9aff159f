using Demiurge.Store;
using Demiurge.Store.Postgres;
using Demiurge.Store.Sqlite;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.Store;

/// <summary>The suite's store switch really reaches the control planes the tests start.</summary>
public sealed class TestStoreTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public void ControlPlaneFixture_UnderTheSwitch_UsesTheRunsStore()
    {
        var database = fixture.ControlPlane.Services.GetRequiredService<Database>();

        Assert.IsType(TestStore.IsPostgres ? typeof(PostgresDialect) : typeof(SqliteDialect), database.Dialect);
    }

    [Fact]
    public void Environment_SameDataDirectory_SameDatabase()
    {
        // A control plane restarted on its folder must find its state again, as with SQLite.
        using var other = new TempDirectory();

        Assert.Equal(TestStore.Environment(fixture.DataDir.Path), TestStore.Environment(fixture.DataDir.Path));
        Assert.Equal(TestStore.IsPostgres, TestStore.Environment(other.Path).Count > 0);
        if (TestStore.IsPostgres)
        {
            Assert.NotEqual(TestStore.Environment(fixture.DataDir.Path), TestStore.Environment(other.Path));
        }
    }
}
