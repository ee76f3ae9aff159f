using System.Data.Common;
using Demiurge.Common;
using Demiurge.Events;
using Demiurge.Identity;
using Demiurge.Organizations;
using Demiurge.Store;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Store;

/// <summary>
/// The behaviour every store adapter must show: the per-feature stores over a <see cref="Database"/>
/// on each engine. Each engine derives once, supplies a migrated, empty database, and inherits
/// every fact; xunit builds a new instance, and so a new database, for each test.
/// </summary>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    // Timestamps come from a per-test clock that only moves forward, so "oldest first" is
    // decided by the test and not by how fast the machine is.
    private long _nowMillis = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    // Every database the test made, released at the end.
    private readonly List<Stores> _stores = [];

    private protected Stores Store { get; private set; } = null!;

    private protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The stores over a migrated, empty database of their own.</summary>
    // private protected: Stores is internal, so a protected member returning it would be more visible than its type.
    private protected abstract Task<Stores> CreateStoreAsync();

    /// <summary>
    /// A raw connection to the store's database, for checks the interface cannot express
    /// (schema_migrations, rows left behind by a failed write). Queries through it are portable SQL.
    /// </summary>
    protected abstract Task<DbConnection> OpenConnectionAsync();

    /// <summary>
    /// <paramref name="count"/> database objects on one new database that has not been migrated,
    /// as separate control planes starting together would see it.
    /// </summary>
    private protected abstract Task<IReadOnlyList<Stores>> CreateStoresOnFreshDatabaseAsync(int count);

    public virtual async ValueTask InitializeAsync() => Store = Own(await CreateStoreAsync());

    public virtual async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    /// <summary>Releases <paramref name="store"/> when the test ends.</summary>
    private protected Stores Own(Stores store)
    {
        _stores.Add(store);
        return store;
    }

    private protected async Task<IReadOnlyList<Stores>> StoresOnFreshDatabaseAsync(int count)
    {
        var stores = await CreateStoresOnFreshDatabaseAsync(count);
        foreach (var store in stores)
        {
            Own(store);
        }

        return stores;
    }

    // ---- Migrations ----------------------------------------------------------------------

    [Fact]
    public async Task MigrateAsync_Applied_RecordsEveryEmbeddedMigrationInOrder()
    {
        var embedded = Database.LoadMigrations();

        var recorded = await SchemaMigrationsAsync();

        Assert.NotEmpty(embedded);
        Assert.Equal(embedded.Select(m => (m.Version, m.Name)), recorded);
    }

    [Fact]
    public async Task MigrateAsync_RunTwice_SucceedsAndKeepsData()
    {
        var user = await CreateUserAsync("alice");
        var organization = await CreateOrganizationAsync(user.UserId, "Acme");
        var recordedBefore = await SchemaMigrationsAsync();
        var eventsBefore = await AllEventsAsync();

        await Store.Database.MigrateAsync(Ct);
        await Store.Database.MigrateAsync(Ct);

        Assert.Equal(user, await Store.Users.UserGetAsync(user.UserId, Ct));
        Assert.Equal(organization, await Store.Organizations.OrganizationGetAsync(organization.OrganizationId, Ct));
        Assert.Equal(OrganizationRole.Owner, await Store.Organizations.MembershipRoleAsync(organization.OrganizationId, user.UserId, Ct));
        Assert.Equal(eventsBefore, await AllEventsAsync());
        Assert.Equal(recordedBefore, await SchemaMigrationsAsync());
        Assert.Equal(Database.LoadMigrations().Count, await CountAsync("schema_migrations"));
    }

    [Fact]
    public async Task MigrateAsync_SeveralStoresOnOneFreshDatabaseInParallel_AllSucceed()
    {
        // Control planes starting together on one database. The race window is small, so
        // run it on several fresh databases.
        for (var round = 0; round < 10; round++)
        {
            var stores = await StoresOnFreshDatabaseAsync(8);

            await RunTogetherAsync(stores, async s =>
            {
                await s.Database.MigrateAsync(Ct);
                return true;
            });

            var user = new User(Ids.New(), "alice", IsAdmin: false, Tick());
            Assert.True(await stores[0].Users.UserCreateAsync(user, Tokens.Hash("alice-token"), NewEvent(EventKinds.UserCreated), Ct));
            Assert.Equal(user, await stores[^1].Users.UserGetAsync(user.UserId, Ct));
            Assert.Equal(1, Assert.Single(await stores[^1].Events.EventListAsync(0, 10, Ct)).Seq);
        }
    }

    [Fact]
    public async Task PingAsync_MigratedStore_Completes()
    {
        await Store.Database.PingAsync(Ct);

        // Ping must not write anything.
        Assert.Empty(await AllEventsAsync());
    }

    // ---- Helpers -------------------------------------------------------------------------

    /// <summary>The next instant of the test clock, one second after the last.</summary>
    private protected DateTimeOffset Tick()
    {
        _nowMillis += 1000;
        return DateTimeOffset.FromUnixTimeMilliseconds(_nowMillis);
    }

    /// <summary>
    /// An event stamped now on the test clock. <see cref="Ids.New"/> rises strictly within this
    /// process, so events made in order have ids in order, as in production.
    /// </summary>
    private protected AuditEvent NewEvent(string kind, string? actorUserId = null, string? organizationId = null, string? subjectId = null, string? detail = null) =>
        new(Ids.New(), kind, actorUserId, organizationId, subjectId, detail, Tick());

    private protected async Task<User> CreateUserAsync(string username, bool isAdmin = false, string? token = null)
    {
        var user = new User(Ids.New(), username, isAdmin, Tick());
        Assert.True(await Store.Users.UserCreateAsync(user, Tokens.Hash(token ?? username + "-token"), NewEvent(EventKinds.UserCreated, subjectId: user.UserId), Ct));
        return user;
    }

    private protected async Task<Organization> CreateOrganizationAsync(string ownerUserId, string name, DateTimeOffset? createdAt = null)
    {
        var organization = new Organization(Ids.New(), name, createdAt ?? Tick());
        return await Store.Organizations.OrganizationCreateAsync(organization, ownerUserId, NewEvent(EventKinds.OrganizationCreated, ownerUserId, organization.OrganizationId), Ct);
    }

    /// <summary>
    /// Every event in <paramref name="store"/> (the test's own by default) as the store lists them,
    /// <see cref="AuditEvent.Seq"/> included, after checking the seqs run 1, 2, 3, … with no gaps:
    /// each test starts on a fresh database, and a write that fails appends nothing.
    /// </summary>
    private protected async Task<IReadOnlyList<AuditEvent>> ListedEventsAsync(Stores? store = null)
    {
        var events = await (store ?? Store).Events.EventListAsync(0, 10_000, Ct);
        AssertSeqsFromOneWithoutGaps(events);
        return events;
    }

    /// <summary>
    /// <see cref="ListedEventsAsync"/> with <see cref="AuditEvent.Seq"/> cleared, so the result
    /// compares equal to the events the test wrote (whose Seq is 0 until the store assigns one).
    /// </summary>
    private protected async Task<IReadOnlyList<AuditEvent>> AllEventsAsync(Stores? store = null) =>
        WithoutSeq(await ListedEventsAsync(store));

    /// <summary>The events as the caller built them: everything but the store-assigned seq.</summary>
    private protected static List<AuditEvent> WithoutSeq(IEnumerable<AuditEvent> events) =>
        [.. events.Select(e => e with { Seq = 0 })];

    /// <summary>Seqs of every event in a fresh store, in listing order: exactly 1..n.</summary>
    private protected static void AssertSeqsFromOneWithoutGaps(IReadOnlyList<AuditEvent> events) =>
        AssertSeqs(1, events);

    /// <summary>Seqs rise by exactly one from <paramref name="first"/>: strictly increasing, no gaps.</summary>
    private protected static void AssertSeqs(long first, IReadOnlyList<AuditEvent> events) =>
        Assert.Equal(Enumerable.Range(0, events.Count).Select(i => first + i), events.Select(e => e.Seq));

    private protected async Task<long> CountAsync(string table)
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // The table name is a constant chosen by the test.
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
#pragma warning restore CA2100
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<List<(int Version, string Name)>> SchemaMigrationsAsync()
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, name FROM schema_migrations ORDER BY version";
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<(int, string)>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add((Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), reader.GetString(1)));
        }

        return rows;
    }

    /// <summary>Starts every call on the thread pool behind one gate, so they really overlap.</summary>
    private static async Task<T[]> RunTogetherAsync<TInput, T>(IEnumerable<TInput> inputs, Func<TInput, Task<T>> call)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = inputs.Select(input => Task.Run(async () =>
        {
            await gate.Task;
            return await call(input);
        })).ToArray();
        gate.SetResult();
        return await Task.WhenAll(tasks);
    }

    /// <summary>A UUIDv7 at <paramref name="at"/> whose random bits are all <paramref name="fill"/>.</summary>
    private static string IdAt(DateTimeOffset at, byte fill)
    {
        var text = Guid.CreateVersion7(at).ToString("N");
        // Keep the 48-bit timestamp, version nibble and variant; set the rest.
        var filler = Convert.ToHexStringLower([fill]);
        var chars = text.ToCharArray();
        for (var i = 12; i < 32; i++)
        {
            if (i is 12 or 16)
            {
                continue;
            }

            chars[i] = filler[i % 2];
        }

        return Guid.ParseExact(new string(chars), "N").ToString();
    }
}
