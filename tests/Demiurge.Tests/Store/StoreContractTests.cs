using System.Data.Common;
using Demiurge.Events;
using Demiurge.Identity;
using Demiurge.Organizations;
using Demiurge.Projects;
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

    // ---- Users ---------------------------------------------------------------------------

    [Fact]
    public async Task UserCreateAsync_NewUsername_ReturnsTrueAndAppendsOneEvent()
    {
        var user = new User(Ids.New(), "alice", IsAdmin: false, Tick());
        var auditEvent = NewEvent(EventKinds.UserCreated, subjectId: user.UserId, detail: user.Username);

        var created = await Store.Users.UserCreateAsync(user, Tokens.Hash("alice-token"), auditEvent, Ct);

        Assert.True(created);
        Assert.Equal(user, await Store.Users.UserGetAsync(user.UserId, Ct));
        Assert.Equal([auditEvent], await AllEventsAsync());
    }

    [Fact]
    public async Task UserCreateAsync_DuplicateUsername_ReturnsFalseAndWritesNothing()
    {
        var first = await CreateUserAsync("alice", token: "first-token");
        var eventsBefore = await AllEventsAsync();
        var second = new User(Ids.New(), "alice", IsAdmin: true, Tick());

        var created = await Store.Users.UserCreateAsync(second, Tokens.Hash("second-token"), NewEvent(EventKinds.UserCreated), Ct);

        Assert.False(created);
        Assert.Null(await Store.Users.UserGetAsync(second.UserId, Ct));
        Assert.Null(await Store.Users.UserFindByTokenHashAsync(Tokens.Hash("second-token"), Ct));
        Assert.Equal(first, await Store.Users.UserGetByUsernameAsync("alice", Ct));
        Assert.Equal(first, await Store.Users.UserFindByTokenHashAsync(Tokens.Hash("first-token"), Ct));
        Assert.Equal(eventsBefore, await AllEventsAsync());
        Assert.Equal(1, await CountAsync("users"));
    }

    [Fact]
    public async Task UserGetAsync_ExistingUsers_RoundTripsAllFields()
    {
        // One admin and one not, so a column stored as a constant would show.
        var admin = await CreateUserAsync("root", isAdmin: true);
        var plain = await CreateUserAsync("bob", isAdmin: false);

        Assert.Equal(admin, await Store.Users.UserGetAsync(admin.UserId, Ct));
        Assert.Equal(plain, await Store.Users.UserGetAsync(plain.UserId, Ct));
        Assert.True((await Store.Users.UserGetAsync(admin.UserId, Ct))!.IsAdmin);
        Assert.False((await Store.Users.UserGetAsync(plain.UserId, Ct))!.IsAdmin);
    }

    [Fact]
    public async Task UserGetByUsernameAsync_ExistingUsers_RoundTripsAllFields()
    {
        var admin = await CreateUserAsync("root", isAdmin: true);
        var plain = await CreateUserAsync("bob", isAdmin: false);

        Assert.Equal(admin, await Store.Users.UserGetByUsernameAsync("root", Ct));
        Assert.Equal(plain, await Store.Users.UserGetByUsernameAsync("bob", Ct));
    }

    [Fact]
    public async Task UserFindByTokenHashAsync_ExistingUsers_RoundTripsAllFields()
    {
        var admin = await CreateUserAsync("root", isAdmin: true, token: "root-token");
        var plain = await CreateUserAsync("bob", isAdmin: false, token: "bob-token");

        Assert.Equal(admin, await Store.Users.UserFindByTokenHashAsync(Tokens.Hash("root-token"), Ct));
        Assert.Equal(plain, await Store.Users.UserFindByTokenHashAsync(Tokens.Hash("bob-token"), Ct));
    }

    [Fact]
    public async Task UserCreateAsync_SubMillisecondCreatedAt_RoundTripsAtMillisecondPrecision()
    {
        // 123.4567 ms past a second, at +02:00: the store keeps Unix milliseconds, so the
        // ticks below a millisecond go and the instant (not the offset) survives.
        var createdAt = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1_234_567);
        var user = new User(Ids.New(), "precise", IsAdmin: false, createdAt);
        Assert.True(await Store.Users.UserCreateAsync(user, Tokens.Hash("precise-token"), NewEvent(EventKinds.UserCreated), Ct));

        var loaded = await Store.Users.UserGetAsync(user.UserId, Ct);

        Assert.NotNull(loaded);
        Assert.Equal(createdAt.ToUnixTimeMilliseconds(), loaded.CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(createdAt.ToUnixTimeMilliseconds()), loaded.CreatedAt);
        Assert.NotEqual(createdAt, loaded.CreatedAt);
    }

    [Fact]
    public async Task UserGetAsync_UnknownId_ReturnsNull()
    {
        await CreateUserAsync("alice");

        Assert.Null(await Store.Users.UserGetAsync(Ids.New(), Ct));
    }

    [Fact]
    public async Task UserGetByUsernameAsync_UnknownUsername_ReturnsNull()
    {
        await CreateUserAsync("alice");

        Assert.Null(await Store.Users.UserGetByUsernameAsync("alicia", Ct));
    }

    [Fact]
    public async Task UserFindByTokenHashAsync_UnknownHash_ReturnsNull()
    {
        await CreateUserAsync("alice", token: "alice-token");

        Assert.Null(await Store.Users.UserFindByTokenHashAsync(Tokens.Hash("someone-else"), Ct));
    }

    [Fact]
    public async Task UserSetTokenHashAsync_NewHash_OldHashUnknownNewResolvesOneEventAppended()
    {
        var user = await CreateUserAsync("alice", token: "old-token");
        var bystander = await CreateUserAsync("bob", token: "bob-token");
        var eventsBefore = await AllEventsAsync();
        var auditEvent = NewEvent(EventKinds.AdminTokenSet, subjectId: user.UserId);

        var set = await Store.Users.UserSetTokenHashAsync(user.UserId, Tokens.Hash("new-token"), auditEvent, Ct);

        Assert.True(set);
        Assert.Null(await Store.Users.UserFindByTokenHashAsync(Tokens.Hash("old-token"), Ct));
        Assert.Equal(user, await Store.Users.UserFindByTokenHashAsync(Tokens.Hash("new-token"), Ct));
        Assert.Equal(bystander, await Store.Users.UserFindByTokenHashAsync(Tokens.Hash("bob-token"), Ct));
        Assert.Equal([.. eventsBefore, auditEvent], await AllEventsAsync());
    }

    [Fact]
    public async Task UserSetTokenHashAsync_UnknownUser_ReturnsFalseAndAppendsNoEvent()
    {
        var user = await CreateUserAsync("alice", token: "alice-token");
        var eventsBefore = await ListedEventsAsync();

        var set = await Store.Users.UserSetTokenHashAsync(Ids.New(), Tokens.Hash("stray-token"), NewEvent(EventKinds.AdminTokenSet), Ct);

        Assert.False(set);
        Assert.Null(await Store.Users.UserFindByTokenHashAsync(Tokens.Hash("stray-token"), Ct));
        Assert.Equal(user, await Store.Users.UserFindByTokenHashAsync(Tokens.Hash("alice-token"), Ct));
        Assert.Equal(eventsBefore, await ListedEventsAsync());
        Assert.Equal(1, await CountAsync("users"));

        // The refused write took no seq: the next successful one follows straight on.
        var auditEvent = NewEvent(EventKinds.AdminTokenSet, subjectId: user.UserId);
        Assert.True(await Store.Users.UserSetTokenHashAsync(user.UserId, Tokens.Hash("new-token"), auditEvent, Ct));
        var listed = await ListedEventsAsync();
        Assert.Equal(auditEvent, listed[^1] with { Seq = 0 });
        Assert.Equal(eventsBefore[^1].Seq + 1, listed[^1].Seq);
    }

    // ---- Organizations -------------------------------------------------------------------

    [Fact]
    public async Task OrganizationCreateAsync_ExistingOwner_CreatesOrganizationOwnerMembershipAndOneEvent()
    {
        var owner = await CreateUserAsync("alice");
        var eventsBefore = await AllEventsAsync();
        var organization = new Organization(Ids.New(), "Acme", Tick());
        var auditEvent = NewEvent(EventKinds.OrganizationCreated, actorUserId: owner.UserId, organizationId: organization.OrganizationId);

        await Store.Organizations.OrganizationCreateAsync(organization, owner.UserId, auditEvent, Ct);

        Assert.Equal(organization, await Store.Organizations.OrganizationGetAsync(organization.OrganizationId, Ct));
        Assert.Equal(OrganizationRole.Owner, await Store.Organizations.MembershipRoleAsync(organization.OrganizationId, owner.UserId, Ct));
        Assert.Equal(
            [new Membership(organization.OrganizationId, owner.UserId, "alice", OrganizationRole.Owner, organization.CreatedAt)],
            await Store.Organizations.MembershipListAsync(organization.OrganizationId, Ct));
        Assert.Equal([.. eventsBefore, auditEvent], await AllEventsAsync());
    }

    [Fact]
    public async Task OrganizationCreateAsync_UnknownOwner_ThrowsAndWritesNothing()
    {
        var owner = await CreateUserAsync("alice");
        var existing = await CreateOrganizationAsync(owner.UserId, "Existing");
        var eventsBefore = await AllEventsAsync();
        var membershipsBefore = await CountAsync("memberships");
        var organization = new Organization(Ids.New(), "Orphan", Tick());

        await Assert.ThrowsAnyAsync<DbException>(() =>
            Store.Organizations.OrganizationCreateAsync(organization, Ids.New(), NewEvent(EventKinds.OrganizationCreated), Ct));

        Assert.Equal([existing], await Store.Organizations.OrganizationListAsync(null, Ct));
        Assert.Null(await Store.Organizations.OrganizationGetAsync(organization.OrganizationId, Ct));
        Assert.Empty(await Store.Organizations.MembershipListAsync(organization.OrganizationId, Ct));
        Assert.Equal(eventsBefore, await AllEventsAsync());
        Assert.Equal(membershipsBefore, await CountAsync("memberships"));
    }

    [Fact]
    public async Task OrganizationGetAsync_UnknownId_ReturnsNull()
    {
        var owner = await CreateUserAsync("alice");
        await CreateOrganizationAsync(owner.UserId, "Acme");

        Assert.Null(await Store.Organizations.OrganizationGetAsync(Ids.New(), Ct));
    }

    [Fact]
    public async Task OrganizationListAsync_Member_ReturnsOnlyTheirOrganizationsOldestFirst()
    {
        var alice = await CreateUserAsync("alice");
        var bob = await CreateUserAsync("bob");
        var loner = await CreateUserAsync("loner");
        var start = Tick();
        // Written newest first, so an answer in insertion order would fail.
        var aliceNew = await CreateOrganizationAsync(alice.UserId, "Alice New", start.AddMinutes(30));
        var bobs = await CreateOrganizationAsync(bob.UserId, "Bob's", start.AddMinutes(20));
        var aliceOld = await CreateOrganizationAsync(alice.UserId, "Alice Old", start.AddMinutes(10));
        Assert.True(await Store.Organizations.MembershipAddAsync(bobs.OrganizationId, alice.UserId, OrganizationRole.Member, Tick(), NewEvent(EventKinds.MemberAdded), Ct));

        Assert.Equal([aliceOld, bobs, aliceNew], await Store.Organizations.OrganizationListAsync(alice.UserId, Ct));
        Assert.Equal([bobs], await Store.Organizations.OrganizationListAsync(bob.UserId, Ct));
        Assert.Empty(await Store.Organizations.OrganizationListAsync(loner.UserId, Ct));
        Assert.Empty(await Store.Organizations.OrganizationListAsync(Ids.New(), Ct));
    }

    [Fact]
    public async Task OrganizationListAsync_Null_ReturnsAllOldestFirst()
    {
        var alice = await CreateUserAsync("alice");
        var bob = await CreateUserAsync("bob");
        var start = Tick();
        var newest = await CreateOrganizationAsync(alice.UserId, "Newest", start.AddMinutes(30));
        var oldest = await CreateOrganizationAsync(bob.UserId, "Oldest", start.AddMinutes(10));
        var middle = await CreateOrganizationAsync(alice.UserId, "Middle", start.AddMinutes(20));

        Assert.Equal([oldest, middle, newest], await Store.Organizations.OrganizationListAsync(null, Ct));
    }

    // ---- Memberships ---------------------------------------------------------------------

    [Fact]
    public async Task MembershipAddAsync_NewMember_ReturnsTrueAndAppendsOneEvent()
    {
        var owner = await CreateUserAsync("alice");
        var member = await CreateUserAsync("bob");
        var organization = await CreateOrganizationAsync(owner.UserId, "Acme");
        var eventsBefore = await AllEventsAsync();
        var auditEvent = NewEvent(EventKinds.MemberAdded, owner.UserId, organization.OrganizationId, member.UserId, "member");

        var added = await Store.Organizations.MembershipAddAsync(organization.OrganizationId, member.UserId, OrganizationRole.Member, Tick(), auditEvent, Ct);

        Assert.True(added);
        Assert.Equal(OrganizationRole.Member, await Store.Organizations.MembershipRoleAsync(organization.OrganizationId, member.UserId, Ct));
        Assert.Equal([.. eventsBefore, auditEvent], await AllEventsAsync());
    }

    [Fact]
    public async Task MembershipAddAsync_ExistingMember_ReturnsFalseAndWritesNothing()
    {
        var owner = await CreateUserAsync("alice");
        var member = await CreateUserAsync("bob");
        var organization = await CreateOrganizationAsync(owner.UserId, "Acme");
        Assert.True(await Store.Organizations.MembershipAddAsync(organization.OrganizationId, member.UserId, OrganizationRole.Member, Tick(), NewEvent(EventKinds.MemberAdded), Ct));
        var membersBefore = await Store.Organizations.MembershipListAsync(organization.OrganizationId, Ct);
        var eventsBefore = await AllEventsAsync();

        var again = await Store.Organizations.MembershipAddAsync(organization.OrganizationId, member.UserId, OrganizationRole.Admin, Tick(), NewEvent(EventKinds.MemberAdded), Ct);
        var ownerAgain = await Store.Organizations.MembershipAddAsync(organization.OrganizationId, owner.UserId, OrganizationRole.Member, Tick(), NewEvent(EventKinds.MemberAdded), Ct);

        Assert.False(again);
        Assert.False(ownerAgain);
        Assert.Equal(OrganizationRole.Member, await Store.Organizations.MembershipRoleAsync(organization.OrganizationId, member.UserId, Ct));
        Assert.Equal(OrganizationRole.Owner, await Store.Organizations.MembershipRoleAsync(organization.OrganizationId, owner.UserId, Ct));
        Assert.Equal(membersBefore, await Store.Organizations.MembershipListAsync(organization.OrganizationId, Ct));
        Assert.Equal(eventsBefore, await AllEventsAsync());
    }

    [Fact]
    public async Task MembershipAddAsync_SameUserInAnotherOrganization_ReturnsTrue()
    {
        var owner = await CreateUserAsync("alice");
        var member = await CreateUserAsync("bob");
        var first = await CreateOrganizationAsync(owner.UserId, "First");
        var second = await CreateOrganizationAsync(owner.UserId, "Second");
        Assert.True(await Store.Organizations.MembershipAddAsync(first.OrganizationId, member.UserId, OrganizationRole.Admin, Tick(), NewEvent(EventKinds.MemberAdded), Ct));

        var added = await Store.Organizations.MembershipAddAsync(second.OrganizationId, member.UserId, OrganizationRole.Member, Tick(), NewEvent(EventKinds.MemberAdded), Ct);

        Assert.True(added);
        Assert.Equal(OrganizationRole.Admin, await Store.Organizations.MembershipRoleAsync(first.OrganizationId, member.UserId, Ct));
        Assert.Equal(OrganizationRole.Member, await Store.Organizations.MembershipRoleAsync(second.OrganizationId, member.UserId, Ct));
    }

    [Fact]
    public async Task MembershipAddAsync_UnknownUser_ThrowsAndWritesNothing()
    {
        var owner = await CreateUserAsync("alice");
        var organization = await CreateOrganizationAsync(owner.UserId, "Acme");
        var membersBefore = await Store.Organizations.MembershipListAsync(organization.OrganizationId, Ct);
        var eventsBefore = await AllEventsAsync();
        var stranger = Ids.New();

        await Assert.ThrowsAnyAsync<DbException>(() =>
            Store.Organizations.MembershipAddAsync(organization.OrganizationId, stranger, OrganizationRole.Member, Tick(), NewEvent(EventKinds.MemberAdded), Ct));

        Assert.Null(await Store.Organizations.MembershipRoleAsync(organization.OrganizationId, stranger, Ct));
        Assert.Equal(membersBefore, await Store.Organizations.MembershipListAsync(organization.OrganizationId, Ct));
        Assert.Equal(eventsBefore, await AllEventsAsync());
    }

    [Fact]
    public async Task MembershipRoleAsync_EachRole_ReturnsThatRole()
    {
        var owner = await CreateUserAsync("alice");
        var coOwner = await CreateUserAsync("carol");
        var admin = await CreateUserAsync("bob");
        var member = await CreateUserAsync("dave");
        var organization = await CreateOrganizationAsync(owner.UserId, "Acme");
        Assert.True(await Store.Organizations.MembershipAddAsync(organization.OrganizationId, coOwner.UserId, OrganizationRole.Owner, Tick(), NewEvent(EventKinds.MemberAdded), Ct));
        Assert.True(await Store.Organizations.MembershipAddAsync(organization.OrganizationId, admin.UserId, OrganizationRole.Admin, Tick(), NewEvent(EventKinds.MemberAdded), Ct));
        Assert.True(await Store.Organizations.MembershipAddAsync(organization.OrganizationId, member.UserId, OrganizationRole.Member, Tick(), NewEvent(EventKinds.MemberAdded), Ct));

        Assert.Equal(OrganizationRole.Owner, await Store.Organizations.MembershipRoleAsync(organization.OrganizationId, owner.UserId, Ct));
        Assert.Equal(OrganizationRole.Owner, await Store.Organizations.MembershipRoleAsync(organization.OrganizationId, coOwner.UserId, Ct));
        Assert.Equal(OrganizationRole.Admin, await Store.Organizations.MembershipRoleAsync(organization.OrganizationId, admin.UserId, Ct));
        Assert.Equal(OrganizationRole.Member, await Store.Organizations.MembershipRoleAsync(organization.OrganizationId, member.UserId, Ct));
    }

    [Fact]
    public async Task MembershipRoleAsync_NotAMember_ReturnsNull()
    {
        var owner = await CreateUserAsync("alice");
        var outsider = await CreateUserAsync("bob");
        var organization = await CreateOrganizationAsync(owner.UserId, "Acme");
        var other = await CreateOrganizationAsync(outsider.UserId, "Other");

        Assert.Null(await Store.Organizations.MembershipRoleAsync(organization.OrganizationId, outsider.UserId, Ct));
        Assert.Null(await Store.Organizations.MembershipRoleAsync(other.OrganizationId, owner.UserId, Ct));
        Assert.Null(await Store.Organizations.MembershipRoleAsync(Ids.New(), owner.UserId, Ct));
        Assert.Null(await Store.Organizations.MembershipRoleAsync(organization.OrganizationId, Ids.New(), Ct));
    }

    [Fact]
    public async Task MembershipListAsync_Organization_ReturnsItsMembersWithUsernamesAndRoles()
    {
        var owner = await CreateUserAsync("alice");
        var admin = await CreateUserAsync("bob");
        var member = await CreateUserAsync("carol");
        var elsewhere = await CreateUserAsync("dave");
        var organization = await CreateOrganizationAsync(owner.UserId, "Acme");
        var other = await CreateOrganizationAsync(elsewhere.UserId, "Other");
        var adminSince = Tick();
        var memberSince = Tick();
        Assert.True(await Store.Organizations.MembershipAddAsync(organization.OrganizationId, admin.UserId, OrganizationRole.Admin, adminSince, NewEvent(EventKinds.MemberAdded), Ct));
        Assert.True(await Store.Organizations.MembershipAddAsync(organization.OrganizationId, member.UserId, OrganizationRole.Member, memberSince, NewEvent(EventKinds.MemberAdded), Ct));
        Assert.True(await Store.Organizations.MembershipAddAsync(other.OrganizationId, member.UserId, OrganizationRole.Admin, Tick(), NewEvent(EventKinds.MemberAdded), Ct));

        var members = await Store.Organizations.MembershipListAsync(organization.OrganizationId, Ct);

        Assert.Equal(
            [
                new Membership(organization.OrganizationId, owner.UserId, "alice", OrganizationRole.Owner, organization.CreatedAt),
                new Membership(organization.OrganizationId, admin.UserId, "bob", OrganizationRole.Admin, adminSince),
                new Membership(organization.OrganizationId, member.UserId, "carol", OrganizationRole.Member, memberSince),
            ],
            members);
        Assert.Empty(await Store.Organizations.MembershipListAsync(Ids.New(), Ct));
    }

    // ---- Projects ------------------------------------------------------------------------

    [Fact]
    public async Task ProjectCreateAsync_NewName_ReturnsTrueAndAppendsOneEvent()
    {
        var owner = await CreateUserAsync("alice");
        var organization = await CreateOrganizationAsync(owner.UserId, "Acme");
        var eventsBefore = await AllEventsAsync();
        var project = new Project(Ids.New(), organization.OrganizationId, "web", Tick());
        var auditEvent = NewEvent(EventKinds.ProjectCreated, owner.UserId, organization.OrganizationId, project.ProjectId, "web");

        var created = await Store.Organizations.ProjectCreateAsync(project, auditEvent, Ct);

        Assert.True(created);
        Assert.Equal([project], await Store.Organizations.ProjectListAsync(organization.OrganizationId, Ct));
        Assert.Equal([.. eventsBefore, auditEvent], await AllEventsAsync());
    }

    [Fact]
    public async Task ProjectCreateAsync_DuplicateNameInOrganization_ReturnsFalseAndWritesNothing()
    {
        var owner = await CreateUserAsync("alice");
        var organization = await CreateOrganizationAsync(owner.UserId, "Acme");
        var first = new Project(Ids.New(), organization.OrganizationId, "web", Tick());
        Assert.True(await Store.Organizations.ProjectCreateAsync(first, NewEvent(EventKinds.ProjectCreated), Ct));
        var eventsBefore = await AllEventsAsync();

        var created = await Store.Organizations.ProjectCreateAsync(new Project(Ids.New(), organization.OrganizationId, "web", Tick()), NewEvent(EventKinds.ProjectCreated), Ct);

        Assert.False(created);
        Assert.Equal([first], await Store.Organizations.ProjectListAsync(organization.OrganizationId, Ct));
        Assert.Equal(eventsBefore, await AllEventsAsync());
    }

    [Fact]
    public async Task ProjectCreateAsync_SameNameInAnotherOrganization_ReturnsTrue()
    {
        var owner = await CreateUserAsync("alice");
        var acme = await CreateOrganizationAsync(owner.UserId, "Acme");
        var globex = await CreateOrganizationAsync(owner.UserId, "Globex");
        var acmeWeb = new Project(Ids.New(), acme.OrganizationId, "web", Tick());
        var globexWeb = new Project(Ids.New(), globex.OrganizationId, "web", Tick());
        Assert.True(await Store.Organizations.ProjectCreateAsync(acmeWeb, NewEvent(EventKinds.ProjectCreated), Ct));

        var created = await Store.Organizations.ProjectCreateAsync(globexWeb, NewEvent(EventKinds.ProjectCreated), Ct);

        Assert.True(created);
        Assert.Equal([acmeWeb], await Store.Organizations.ProjectListAsync(acme.OrganizationId, Ct));
        Assert.Equal([globexWeb], await Store.Organizations.ProjectListAsync(globex.OrganizationId, Ct));
    }

    [Fact]
    public async Task ProjectCreateAsync_UnknownOrganization_ThrowsAndWritesNothing()
    {
        var eventsBefore = await AllEventsAsync();
        var organizationId = Ids.New();

        await Assert.ThrowsAnyAsync<DbException>(() =>
            Store.Organizations.ProjectCreateAsync(new Project(Ids.New(), organizationId, "web", Tick()), NewEvent(EventKinds.ProjectCreated), Ct));

        Assert.Empty(await Store.Organizations.ProjectListAsync(organizationId, Ct));
        Assert.Equal(eventsBefore, await AllEventsAsync());
        Assert.Equal(0, await CountAsync("projects"));
    }

    [Fact]
    public async Task ProjectListAsync_Organization_ReturnsOnlyItsProjectsOldestFirst()
    {
        var owner = await CreateUserAsync("alice");
        var acme = await CreateOrganizationAsync(owner.UserId, "Acme");
        var globex = await CreateOrganizationAsync(owner.UserId, "Globex");
        var start = Tick();
        // Written newest first, with names in the opposite order, so neither insertion order
        // nor name order passes for creation order.
        var api = new Project(Ids.New(), acme.OrganizationId, "api", start.AddMinutes(30));
        var web = new Project(Ids.New(), acme.OrganizationId, "web", start.AddMinutes(10));
        var docs = new Project(Ids.New(), acme.OrganizationId, "docs", start.AddMinutes(20));
        var foreign = new Project(Ids.New(), globex.OrganizationId, "billing", start.AddMinutes(15));
        foreach (var project in new[] { api, web, foreign, docs })
        {
            Assert.True(await Store.Organizations.ProjectCreateAsync(project, NewEvent(EventKinds.ProjectCreated), Ct));
        }

        Assert.Equal([web, docs, api], await Store.Organizations.ProjectListAsync(acme.OrganizationId, Ct));
        Assert.Equal([foreign], await Store.Organizations.ProjectListAsync(globex.OrganizationId, Ct));
        Assert.Empty(await Store.Organizations.ProjectListAsync(Ids.New(), Ct));
    }

    // ---- Events --------------------------------------------------------------------------

    [Fact]
    public async Task EventListAsync_MigratedStore_ReturnsEmpty()
    {
        Assert.Empty(await Store.Events.EventListAsync(0, 100, Ct));
    }

    [Fact]
    public async Task EventListAsync_MixedWrites_ReturnsOneEventPerSuccessfulWriteInOrder()
    {
        var expected = new List<AuditEvent>();
        var alice = new User(Ids.New(), "alice", IsAdmin: true, Tick());
        var bob = new User(Ids.New(), "bob", IsAdmin: false, Tick());
        var organization = new Organization(Ids.New(), "Acme", Tick());
        var project = new Project(Ids.New(), organization.OrganizationId, "web", Tick());

        expected.Add(NewEvent(EventKinds.UserCreated, null, null, alice.UserId, "alice"));
        Assert.True(await Store.Users.UserCreateAsync(alice, Tokens.Hash("a"), expected[^1], Ct));
        expected.Add(NewEvent(EventKinds.UserCreated, alice.UserId, null, bob.UserId, "bob"));
        Assert.True(await Store.Users.UserCreateAsync(bob, Tokens.Hash("b"), expected[^1], Ct));
        Assert.False(await Store.Users.UserCreateAsync(bob with { UserId = Ids.New() }, Tokens.Hash("b2"), NewEvent("rejected"), Ct));
        expected.Add(NewEvent(EventKinds.AdminTokenSet, null, null, alice.UserId, null));
        Assert.True(await Store.Users.UserSetTokenHashAsync(alice.UserId, Tokens.Hash("a2"), expected[^1], Ct));
        Assert.False(await Store.Users.UserSetTokenHashAsync(Ids.New(), Tokens.Hash("a3"), NewEvent("rejected"), Ct));
        expected.Add(NewEvent(EventKinds.OrganizationCreated, alice.UserId, organization.OrganizationId, organization.OrganizationId, "Acme"));
        await Store.Organizations.OrganizationCreateAsync(organization, alice.UserId, expected[^1], Ct);
        await Assert.ThrowsAnyAsync<DbException>(() =>
            Store.Organizations.OrganizationCreateAsync(new Organization(Ids.New(), "Orphan", Tick()), Ids.New(), NewEvent("rejected"), Ct));
        expected.Add(NewEvent(EventKinds.MemberAdded, alice.UserId, organization.OrganizationId, bob.UserId, "member"));
        Assert.True(await Store.Organizations.MembershipAddAsync(organization.OrganizationId, bob.UserId, OrganizationRole.Member, Tick(), expected[^1], Ct));
        Assert.False(await Store.Organizations.MembershipAddAsync(organization.OrganizationId, bob.UserId, OrganizationRole.Admin, Tick(), NewEvent("rejected"), Ct));
        expected.Add(NewEvent(EventKinds.ProjectCreated, bob.UserId, organization.OrganizationId, project.ProjectId, "web"));
        Assert.True(await Store.Organizations.ProjectCreateAsync(project, expected[^1], Ct));
        Assert.False(await Store.Organizations.ProjectCreateAsync(project with { ProjectId = Ids.New() }, NewEvent("rejected"), Ct));

        var events = await Store.Events.EventListAsync(0, 1000, Ct);

        // Record equality covers every field, nulls included; the store adds only the seq.
        Assert.Equal(expected, WithoutSeq(events));
        Assert.All(expected, e => Assert.Equal(0, e.Seq));
        // One seq per successful write, from 1 on a fresh store, rising by one: the refused
        // and failed writes in between took none.
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], events.Select(e => e.Seq));
    }

    [Fact]
    public async Task EventListAsync_AfterSeqAndLimit_PagesThroughAllInOrder()
    {
        var written = new List<AuditEvent>();
        for (var i = 0; i < 7; i++)
        {
            var user = new User(Ids.New(), $"user{i}", IsAdmin: false, Tick());
            written.Add(NewEvent(EventKinds.UserCreated, subjectId: user.UserId, detail: user.Username));
            Assert.True(await Store.Users.UserCreateAsync(user, Tokens.Hash($"token{i}"), written[^1], Ct));
        }

        // A reader starts at 0 and passes the last seq it saw.
        var first = await Store.Events.EventListAsync(0, 3, Ct);
        var second = await Store.Events.EventListAsync(first[^1].Seq, 3, Ct);
        var third = await Store.Events.EventListAsync(second[^1].Seq, 3, Ct);
        var past = await Store.Events.EventListAsync(third[^1].Seq, 3, Ct);

        Assert.Equal(written[0..3], WithoutSeq(first));
        Assert.Equal(written[3..6], WithoutSeq(second));
        Assert.Equal(written[6..], WithoutSeq(third));
        Assert.Empty(past);
        AssertSeqs(1, first);
        AssertSeqs(4, second);
        AssertSeqs(7, third);
        Assert.Empty(await Store.Events.EventListAsync(long.MaxValue, 3, Ct));
    }

    [Fact]
    public async Task EventListAsync_Limit_ReturnsAtMostThatMany()
    {
        var written = new List<AuditEvent>();
        for (var i = 0; i < 5; i++)
        {
            var user = new User(Ids.New(), $"user{i}", IsAdmin: false, Tick());
            written.Add(NewEvent(EventKinds.UserCreated, subjectId: user.UserId));
            Assert.True(await Store.Users.UserCreateAsync(user, Tokens.Hash($"token{i}"), written[^1], Ct));
        }

        var all = (await Store.Events.EventListAsync(0, 1000, Ct)).ToList();

        Assert.Equal(written, WithoutSeq(all));
        AssertSeqsFromOneWithoutGaps(all);
        Assert.Equal(all[..1], await Store.Events.EventListAsync(0, 1, Ct));
        Assert.Equal(all[..4], await Store.Events.EventListAsync(0, 4, Ct));
        Assert.Equal(all[2..4], await Store.Events.EventListAsync(all[1].Seq, 2, Ct));
        Assert.Equal(all[4..], await Store.Events.EventListAsync(all[3].Seq, 1000, Ct));
    }

    [Fact]
    public async Task EventListAsync_LaterWriteWithSmallerId_ReturnsWriteOrder()
    {
        // Request A mints its id, request B mints a larger one and commits first, then A commits
        // (or: two processes whose Ids.New() counters are independent within a millisecond).
        var at = Tick();
        var larger = NewEvent("test.kind") with { EventId = IdAt(at, 0xff), CreatedAt = at };
        var smaller = NewEvent("test.kind") with { EventId = IdAt(at, 0x00), CreatedAt = at };
        Assert.True(string.CompareOrdinal(smaller.EventId, larger.EventId) < 0);
        Assert.True(await Store.Users.UserCreateAsync(new User(Ids.New(), "first", false, at), Tokens.Hash("1"), larger, Ct));

        // A reader pages past the first event before the second one commits.
        var seen = await Store.Events.EventListAsync(0, 10, Ct);
        Assert.Equal([larger], WithoutSeq(seen));

        Assert.True(await Store.Users.UserCreateAsync(new User(Ids.New(), "second", false, at), Tokens.Hash("2"), smaller, Ct));

        var listed = await ListedEventsAsync();
        Assert.Equal([larger, smaller], WithoutSeq(listed));
        Assert.True(listed[0].Seq < listed[1].Seq);
        // The reader who already saw the first event still gets the second one.
        var next = await Store.Events.EventListAsync(seen[^1].Seq, 10, Ct);
        Assert.Equal([smaller], WithoutSeq(next));
        Assert.Equal(listed[1].Seq, Assert.Single(next).Seq);
    }

    // ---- Concurrency ---------------------------------------------------------------------

    [Fact]
    public async Task UserCreateAsync_FiftyParallelSameUsername_ExactlyOneReturnsTrue()
    {
        var contenders = Enumerable.Range(0, 50)
            .Select(i => (User: new User(Ids.New(), "contested", IsAdmin: false, Tick()), Hash: Tokens.Hash($"token{i}"), Event: NewEvent(EventKinds.UserCreated)))
            .ToArray();

        var results = await RunTogetherAsync(contenders, c => Store.Users.UserCreateAsync(c.User, c.Hash, c.Event, Ct));

        Assert.Equal(1, results.Count(r => r));
        var winner = contenders[Array.IndexOf(results, true)];
        Assert.Equal(winner.User, await Store.Users.UserGetByUsernameAsync("contested", Ct));
        Assert.Equal([winner.Event], await AllEventsAsync());
        Assert.Equal(1, await CountAsync("users"));
    }

    [Fact]
    public async Task UserCreateAsync_FiftyParallelSameUsernameAcrossStores_ExactlyOneReturnsTrue()
    {
        // Several control planes on one database: only the database can settle the race.
        var stores = await StoresOnFreshDatabaseAsync(5);
        await stores[0].Database.MigrateAsync(Ct);
        var contenders = Enumerable.Range(0, 50)
            .Select(i => (Store: stores[i % stores.Count], User: new User(Ids.New(), "contested", IsAdmin: false, Tick()), Hash: Tokens.Hash($"token{i}"), Event: NewEvent(EventKinds.UserCreated)))
            .ToArray();

        var results = await RunTogetherAsync(contenders, c => c.Store.Users.UserCreateAsync(c.User, c.Hash, c.Event, Ct));

        Assert.Equal(1, results.Count(r => r));
        var winner = contenders[Array.IndexOf(results, true)];
        Assert.Equal(winner.User, await stores[^1].Users.UserGetByUsernameAsync("contested", Ct));
        Assert.Equal([winner.Event], await AllEventsAsync(stores[^1]));
    }

    [Fact]
    public async Task UserCreateAsync_FiftyParallelDistinctUsernames_AllReturnTrue()
    {
        var users = Enumerable.Range(0, 50)
            .Select(i => (User: new User(Ids.New(), $"user{i}", IsAdmin: false, Tick()), Hash: Tokens.Hash($"token{i}"), Event: NewEvent(EventKinds.UserCreated)))
            .ToArray();

        var results = await RunTogetherAsync(users, c => Store.Users.UserCreateAsync(c.User, c.Hash, c.Event, Ct));

        Assert.All(results, Assert.True);
        Assert.Equal(50, await CountAsync("users"));
        // Fifty writers racing still get fifty distinct seqs, 1 to 50, one per event.
        var events = await ListedEventsAsync();
        Assert.Equal(50, events.Count);
        Assert.Equal(users.Select(u => u.Event).OrderBy(e => e.EventId, StringComparer.Ordinal), WithoutSeq(events).OrderBy(e => e.EventId, StringComparer.Ordinal));
    }

    [Fact]
    public async Task ProjectCreateAsync_TwentyParallelSameName_ExactlyOneReturnsTrue()
    {
        var owner = await CreateUserAsync("alice");
        var organization = await CreateOrganizationAsync(owner.UserId, "Acme");
        var eventsBefore = await AllEventsAsync();
        var contenders = Enumerable.Range(0, 20)
            .Select(_ => (Project: new Project(Ids.New(), organization.OrganizationId, "web", Tick()), Event: NewEvent(EventKinds.ProjectCreated)))
            .ToArray();

        var results = await RunTogetherAsync(contenders, c => Store.Organizations.ProjectCreateAsync(c.Project, c.Event, Ct));

        Assert.Equal(1, results.Count(r => r));
        var winner = contenders[Array.IndexOf(results, true)];
        Assert.Equal([winner.Project], await Store.Organizations.ProjectListAsync(organization.OrganizationId, Ct));
        Assert.Equal([.. eventsBefore, winner.Event], await AllEventsAsync());
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
        await Store.Organizations.OrganizationCreateAsync(organization, ownerUserId, NewEvent(EventKinds.OrganizationCreated, ownerUserId, organization.OrganizationId), Ct);
        return organization;
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
