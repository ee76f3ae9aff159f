using System.Text.RegularExpressions;
using Demiurge.Store;

namespace Demiurge.Tests.Store;

/// <summary>What the shared SQL store does without a database: finding its migrations.</summary>
public sealed class DatabaseTests
{
    [Fact]
    public void LoadMigrations_Embedded_StrictlyAscendingVersionsMatchingTheirNames()
    {
        var migrations = Database.LoadMigrations();

        Assert.NotEmpty(migrations);
        Assert.Equal((1, "0001_initial"), (migrations[0].Version, migrations[0].Name));
        for (var i = 1; i < migrations.Count; i++)
        {
            Assert.True(migrations[i - 1].Version < migrations[i].Version,
                $"Migration {migrations[i].Name} does not come strictly after {migrations[i - 1].Name}.");
        }

        Assert.All(migrations, m =>
        {
            var match = Regex.Match(m.Name, "^([0-9]{4})_[a-z0-9_]+$");
            Assert.True(match.Success, $"Migration '{m.Name}' is not named NNNN_description.");
            Assert.Equal(m.Version, int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.False(string.IsNullOrWhiteSpace(m.Sql));
        });
    }

    [Fact]
    public void LoadMigrations_Initial_CreatesEveryTableTheStoreUses()
    {
        var initial = Database.LoadMigrations()[0].Sql;

        foreach (var table in new[] { "users", "organizations", "memberships", "projects", "events" })
        {
            Assert.Contains($"CREATE TABLE {table} ", initial, StringComparison.Ordinal);
        }
    }
}
