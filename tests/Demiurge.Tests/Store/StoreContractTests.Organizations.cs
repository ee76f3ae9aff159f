using System.Data.Common;
using Demiurge.Common;
using Demiurge.Events;
using Demiurge.Organizations;
using Demiurge.Projects;
using Demiurge.Store;

namespace Demiurge.Tests.Store;

/// <summary>The contract of organizations and their projects.</summary>
public abstract partial class StoreContractTests
{
    // ---- Organizations -------------------------------------------------------------------

    [Fact]
    public async Task OrganizationCreateAsync_ExistingOwner_CreatesOrganizationOwnerMembershipAndOneEvent()
    {
        var owner = await CreateUserAsync("alice");
        var eventsBefore = await AllEventsAsync();
        var organization = new Organization(Ids.New(), "Acme", Tick());
        var auditEvent = NewEvent(EventKinds.OrganizationCreated, actorUserId: owner.UserId, organizationId: organization.OrganizationId);

        var created = await Store.Organizations.OrganizationCreateAsync(organization, owner.UserId, auditEvent, Ct);

        Assert.Equal(organization with { Slug = "acme" }, created);
        Assert.Equal(created, await Store.Organizations.OrganizationGetAsync(organization.OrganizationId, Ct));
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
}
