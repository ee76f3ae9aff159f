using System.Data.Common;
using Demiurge.Common;
using Demiurge.Events;
using Demiurge.Identity;
using Demiurge.Organizations;
using Demiurge.Projects;
using Demiurge.Store;

namespace Demiurge.Tests.Store;

/// <summary>The contract of the audit journal, and of concurrent writers.</summary>
public abstract partial class StoreContractTests
{
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
}
