using System.Data.Common;
using Demiurge.Common;
using Demiurge.Events;
using Demiurge.Identity;
using Demiurge.Organizations;
using Demiurge.Store;

namespace Demiurge.Tests.Store;

/// <summary>The contract of organizations' slugs: derived, unique under races, editable, backfilled.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task OrganizationCreateAsync_NameTaken_NextNumberedSlug()
    {
        var owner = await CreateUserAsync("alice");

        var first = await CreateOrganizationAsync(owner.UserId, "Acme Corp");
        var second = await CreateOrganizationAsync(owner.UserId, "ACME corp.");
        var reserved = await CreateOrganizationAsync(owner.UserId, "www");
        var org = await CreateOrganizationAsync(owner.UserId, "Org");
        var noLetters = await CreateOrganizationAsync(owner.UserId, "👍");

        Assert.Equal("acme-corp", first.Slug);
        Assert.Equal("acme-corp-2", second.Slug);
        Assert.Equal("www-2", reserved.Slug);
        Assert.Equal("org", org.Slug);
        Assert.Equal("org2", noLetters.Slug);
        Assert.Equal(["acme-corp", "acme-corp-2", "www-2", "org", "org2"], (await Store.Organizations.OrganizationListAsync(owner.UserId, Ct)).Select(o => o.Slug));
    }

    [Fact]
    public async Task OrganizationCreateAsync_ConcurrentCreatesOfOneName_EachGetsItsOwnSlug()
    {
        const int Creates = 16;
        var owner = await CreateUserAsync("alice");
        var organizations = Enumerable.Range(0, Creates).Select(_ => new Organization(Ids.New(), "Race", Tick())).ToList();

        // On PostgreSQL the creates run at once: all read "race" as free, one insert wins the
        // unique index and the others try the next number.
        var created = await RunTogetherAsync(organizations, o =>
            Store.Organizations.OrganizationCreateAsync(o, owner.UserId, NewEvent(EventKinds.OrganizationCreated, owner.UserId, o.OrganizationId), Ct));

        string[] expected = ["race", .. Enumerable.Range(2, Creates - 1).Select(n => $"race-{n}")];
        Assert.Equal(expected.Order(StringComparer.Ordinal), created.Select(o => o.Slug).Order(StringComparer.Ordinal));
        Assert.Equal(Creates, (await AllEventsAsync()).Count(e => e.Kind == EventKinds.OrganizationCreated));
        foreach (var organization in created)
        {
            Assert.Equal(organization, await Store.Organizations.OrganizationGetAsync(organization.OrganizationId, Ct));
        }
    }

    [Fact]
    public async Task OrganizationCreateAsync_GivenSlugTaken_ThrowsAndWritesNothing()
    {
        var owner = await CreateUserAsync("alice");
        var existing = await CreateOrganizationAsync(owner.UserId, "Acme");
        var eventsBefore = await AllEventsAsync();
        var organization = new Organization(Ids.New(), "Other", Tick(), Slug: existing.Slug);

        await Assert.ThrowsAnyAsync<DbException>(() =>
            Store.Organizations.OrganizationCreateAsync(organization, owner.UserId, NewEvent(EventKinds.OrganizationCreated), Ct));

        Assert.Null(await Store.Organizations.OrganizationGetAsync(organization.OrganizationId, Ct));
        Assert.Equal(eventsBefore, await AllEventsAsync());
    }

    [Fact]
    public async Task OrganizationSetSlugAsync_FreeSlug_ChangesItAndAudits()
    {
        var owner = await CreateUserAsync("alice");
        var organization = await CreateOrganizationAsync(owner.UserId, "Acme");
        var auditEvent = NewEvent(EventKinds.OrganizationUpdated, owner.UserId, organization.OrganizationId, organization.OrganizationId, "slug=initech");

        Assert.True(await Store.Organizations.OrganizationSetSlugAsync(organization.OrganizationId, "initech", auditEvent, Ct));

        Assert.Equal("initech", (await Store.Organizations.OrganizationGetAsync(organization.OrganizationId, Ct))!.Slug);
        Assert.Equal(auditEvent, (await AllEventsAsync())[^1]);
        // The old slug is free again.
        Assert.Equal("acme", (await CreateOrganizationAsync(owner.UserId, "Acme")).Slug);
    }

    [Fact]
    public async Task OrganizationSetSlugAsync_TakenSlug_FalseAndNothingChanges()
    {
        var owner = await CreateUserAsync("alice");
        var acme = await CreateOrganizationAsync(owner.UserId, "Acme");
        var globex = await CreateOrganizationAsync(owner.UserId, "Globex");
        var eventsBefore = await AllEventsAsync();

        Assert.False(await Store.Organizations.OrganizationSetSlugAsync(globex.OrganizationId, acme.Slug, NewEvent(EventKinds.OrganizationUpdated), Ct));

        Assert.Equal("globex", (await Store.Organizations.OrganizationGetAsync(globex.OrganizationId, Ct))!.Slug);
        Assert.Equal(eventsBefore, await AllEventsAsync());
    }

    [Fact]
    public async Task MigrateAsync_OrganizationsFromBeforeSlugs_EachGetsItsIdAsSlug()
    {
        var fresh = (await StoresOnFreshDatabaseAsync(1))[0];
        var ids = new[] { Ids.New(), Ids.New() };
        await fresh.Database.WriteAsync(async session =>
        {
            await session.ExecuteAsync("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)", Ct);
            foreach (var (version, name, sql) in Database.LoadMigrations().Where(m => m.Version < 13))
            {
                await session.ExecuteAsync(sql, Ct);
                await session.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, 0)", Ct, ("@v", version), ("@n", name));
            }

            foreach (var id in ids)
            {
                // Same name twice: a slug from the name would need care; the id needs none.
                await session.ExecuteAsync("INSERT INTO organizations (organization_id, name, created_at) VALUES (@id, 'Acme', 0)", Ct, ("@id", id));
            }

            return true;
        }, null, Ct);

        await fresh.Database.MigrateAsync(Ct);

        foreach (var id in ids)
        {
            var slug = (await fresh.Organizations.OrganizationGetAsync(id, Ct))!.Slug;
            Assert.Equal(id, slug);
            Assert.Null(HostNames.SlugError(slug));
        }

        var owner = new User(Ids.New(), "alice", false, Tick());
        Assert.True(await fresh.Users.UserCreateAsync(owner, Tokens.Hash("a"), NewEvent(EventKinds.UserCreated), Ct));
        var created = await fresh.Organizations.OrganizationCreateAsync(new Organization(Ids.New(), "Acme", Tick()), owner.UserId, NewEvent(EventKinds.OrganizationCreated), Ct);
        Assert.Equal("acme", created.Slug);
        Assert.False(await fresh.Organizations.OrganizationSetSlugAsync(created.OrganizationId, ids[0], NewEvent(EventKinds.OrganizationUpdated), Ct));
    }
}
