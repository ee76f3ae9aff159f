using System.Data.Common;
using Demiurge.Store;
using Demiurge.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Demiurge.Tests.Store;

/// <summary>The store contract on SQLite, one database file per test, plus what only SQLite has.</summary>
public sealed class SqliteStoreTests : StoreContractTests
{
    private readonly TempDirectory _directory = new();

    // Databases handed out by CreateStoresOnFreshDatabaseAsync, whose pools must be cleared too.
    private readonly List<string> _sharedPaths = [];

    private string DatabasePath => Path.Combine(_directory.Path, StoreExtensions.DatabaseFileName);

    private protected override async Task<Stores> CreateStoreAsync()
    {
        var store = Stores.Sqlite(DatabasePath);
        await store.Database.MigrateAsync(Ct);
        return store;
    }

    private protected override Task<IReadOnlyList<Stores>> CreateStoresOnFreshDatabaseAsync(int count)
    {
        var path = Path.Combine(_directory.Path, $"shared-{_sharedPaths.Count}.db");
        _sharedPaths.Add(path);
        return Task.FromResult<IReadOnlyList<Stores>>([.. Enumerable.Range(0, count).Select(_ => Stores.Sqlite(path))]);
    }

    protected override async Task<DbConnection> OpenConnectionAsync()
    {
        // Unpooled, so the test holds no file handle once it is done with the connection.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        return connection;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();

        // The store pools its connections; close this test's idle ones before deleting the folder.
        // Only this test's pools: other classes use SQLite at the same time.
        ClearStorePool(DatabasePath);
        foreach (var path in _sharedPaths)
        {
            ClearStorePool(path);
        }

        _directory.Dispose();
    }

    /// <summary>Pools are keyed by connection string; this must match the one SqliteDialect builds.</summary>
    private static void ClearStorePool(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString());
        SqliteConnection.ClearPool(connection);
    }

    [Fact]
    public void MigrateAsync_GivenPath_CreatesTheDatabaseFileThere()
    {
        Assert.True(File.Exists(DatabasePath), $"No database file at {DatabasePath}.");
        Assert.True(new FileInfo(DatabasePath).Length > 0);
    }

    [Fact]
    public async Task MigrateAsync_FreshFile_SwitchesToWalJournalMode()
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task UserCreateAsync_SecondStoreOnSameFile_SeesTheData()
    {
        var user = await CreateUserAsync("alice");
        var reopened = Own(Stores.Sqlite(DatabasePath));

        await reopened.Database.MigrateAsync(Ct);

        Assert.Equal(user, await reopened.Users.UserGetAsync(user.UserId, Ct));
        // Seqs included: they are stored, not counted by the instance that reads them.
        Assert.Equal(await ListedEventsAsync(), await reopened.Events.EventListAsync(0, 100, Ct));
    }

    [Fact]
    public async Task PingAsync_DirectoryMissing_ThrowsSqliteException()
    {
        var store = Own(Stores.Sqlite(Path.Combine(_directory.Path, "missing", StoreExtensions.DatabaseFileName)));

        // The readiness check turns a DbException into "unhealthy".
        await Assert.ThrowsAsync<SqliteException>(() => store.Database.PingAsync(Ct));
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "missing")));
    }
}
