using Demiurge.Common;
using Demiurge.Events;
using Demiurge.Identity;
using Demiurge.Store;

namespace Demiurge.Tests.Store;

/// <summary>The contract of users and their tokens.</summary>
public abstract partial class StoreContractTests
{
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
}
