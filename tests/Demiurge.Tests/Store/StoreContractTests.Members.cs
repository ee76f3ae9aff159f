using System.Data.Common;
using Demiurge.Common;
using Demiurge.Events;
using Demiurge.Gateways;
using Demiurge.Organizations;
using Demiurge.Projects;
using Demiurge.Store;

namespace Demiurge.Tests.Store;

/// <summary>Members added, listed, given roles and removed, projects deleted, and the settings revision that follows them.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task MembershipSetRoleAsync_Member_ChangesTheRoleAppendsItsEventAndMovesTheRevision()
    {
        var (organization, owner, member) = await OrganizationWithMemberAsync(OrganizationRole.Member);
        var revision = await Store.Organizations.OrganizationSettingsRevisionAsync(organization.OrganizationId, Ct);
        var eventsBefore = await AllEventsAsync();
        var auditEvent = NewEvent(EventKinds.MemberRoleChanged, owner.UserId, organization.OrganizationId, member.UserId, "viewer");

        var change = await Store.Organizations.MembershipSetRoleAsync(organization.OrganizationId, member.UserId, OrganizationRole.Viewer, mayChangeOwners: false, auditEvent, Ct);

        Assert.Equal(MembershipChange.Changed, change);
        Assert.Equal(OrganizationRole.Viewer, await Store.Organizations.MembershipRoleAsync(organization.OrganizationId, member.UserId, Ct));
        Assert.Equal([.. eventsBefore, auditEvent], await AllEventsAsync());
        Assert.True(await Store.Organizations.OrganizationSettingsRevisionAsync(organization.OrganizationId, Ct) > revision);
    }

    [Fact]
    public async Task MembershipRemoveAsync_Member_RemovesItAndAppendsItsEvent()
    {
        var (organization, owner, member) = await OrganizationWithMemberAsync(OrganizationRole.Admin);
        var eventsBefore = await AllEventsAsync();
        var auditEvent = NewEvent(EventKinds.MemberRemoved, owner.UserId, organization.OrganizationId, member.UserId);

        var change = await Store.Organizations.MembershipRemoveAsync(organization.OrganizationId, member.UserId, mayChangeOwners: false, auditEvent, Ct);

        Assert.Equal(MembershipChange.Changed, change);
        Assert.Null(await Store.Organizations.MembershipRoleAsync(organization.OrganizationId, member.UserId, Ct));
        Assert.Equal([.. eventsBefore, auditEvent], await AllEventsAsync());
    }

    [Fact]
    public async Task MembershipChanges_RefusedOnes_ChangeNothingAndAppendNothing()
    {
        var (organization, owner, secondOwner) = await OrganizationWithMemberAsync(OrganizationRole.Owner);
        Assert.Equal(MembershipChange.Changed,
            await Store.Organizations.MembershipRemoveAsync(organization.OrganizationId, secondOwner.UserId, mayChangeOwners: true, NewEvent(EventKinds.MemberRemoved), Ct));
        var membersBefore = await Store.Organizations.MembershipListAsync(organization.OrganizationId, Ct);
        var revision = await Store.Organizations.OrganizationSettingsRevisionAsync(organization.OrganizationId, Ct);
        var eventsBefore = await AllEventsAsync();

        var lastOwnerDemoted = await Store.Organizations.MembershipSetRoleAsync(organization.OrganizationId, owner.UserId, OrganizationRole.Admin, true, NewEvent(EventKinds.MemberRoleChanged), Ct);
        var lastOwnerRemoved = await Store.Organizations.MembershipRemoveAsync(organization.OrganizationId, owner.UserId, true, NewEvent(EventKinds.MemberRemoved), Ct);
        var ownerByAdmin = await Store.Organizations.MembershipSetRoleAsync(organization.OrganizationId, owner.UserId, OrganizationRole.Member, false, NewEvent(EventKinds.MemberRoleChanged), Ct);
        var notAMember = await Store.Organizations.MembershipRemoveAsync(organization.OrganizationId, secondOwner.UserId, true, NewEvent(EventKinds.MemberRemoved), Ct);
        var noOrganization = await Store.Organizations.MembershipSetRoleAsync(Ids.New(), owner.UserId, OrganizationRole.Member, true, NewEvent(EventKinds.MemberRoleChanged), Ct);

        Assert.Equal(MembershipChange.LastOwner, lastOwnerDemoted);
        Assert.Equal(MembershipChange.LastOwner, lastOwnerRemoved);
        Assert.Equal(MembershipChange.OwnerProtected, ownerByAdmin);
        Assert.Equal(MembershipChange.NotFound, notAMember);
        Assert.Equal(MembershipChange.NotFound, noOrganization);
        Assert.Equal(membersBefore, await Store.Organizations.MembershipListAsync(organization.OrganizationId, Ct));
        Assert.Equal(revision, await Store.Organizations.OrganizationSettingsRevisionAsync(organization.OrganizationId, Ct));
        Assert.Equal(eventsBefore, await AllEventsAsync());
    }

    [Fact]
    public async Task MembershipSetRoleAsync_TwoOwnersDemotedConcurrently_OneOwnerRemains()
    {
        var (organization, owner, secondOwner) = await OrganizationWithMemberAsync(OrganizationRole.Owner);

        var changes = await Task.WhenAll(
            Store.Organizations.MembershipSetRoleAsync(organization.OrganizationId, owner.UserId, OrganizationRole.Admin, true, NewEvent(EventKinds.MemberRoleChanged), Ct),
            Store.Organizations.MembershipSetRoleAsync(organization.OrganizationId, secondOwner.UserId, OrganizationRole.Admin, true, NewEvent(EventKinds.MemberRoleChanged), Ct));

        Assert.Equal([MembershipChange.Changed, MembershipChange.LastOwner], changes.Order());
        Assert.Single(await Store.Organizations.MembershipListAsync(organization.OrganizationId, Ct), m => m.Role == OrganizationRole.Owner);
    }

    [Fact]
    public async Task ProjectDeleteAsync_Project_RemovesItAndItsStoredDocumentOnly()
    {
        var owner = await CreateUserAsync("alice");
        var organization = await CreateOrganizationAsync(owner.UserId, "Acme");
        var doomed = new Project(Ids.New(), organization.OrganizationId, "Doomed", Tick());
        var kept = new Project(Ids.New(), organization.OrganizationId, "Kept", Tick());
        Assert.True(await Store.Organizations.ProjectCreateAsync(doomed, NewEvent(EventKinds.ProjectCreated), Ct));
        Assert.True(await Store.Organizations.ProjectCreateAsync(kept, NewEvent(EventKinds.ProjectCreated), Ct));
        await ExecuteAsync($"INSERT INTO organization_data (organization_id, version, gateway_state, stored_at) VALUES ('{organization.OrganizationId}', 1, NULL, 0)");
        foreach (var project in new[] { doomed, kept })
        {
            await ExecuteAsync($"INSERT INTO project_data (organization_id, project_id, content, stored_at) VALUES ('{organization.OrganizationId}', '{project.ProjectId}', 'AQ==', 0)");
        }

        var revision = await Store.Organizations.OrganizationSettingsRevisionAsync(organization.OrganizationId, Ct);
        var auditEvent = NewEvent(EventKinds.ProjectDeleted, owner.UserId, organization.OrganizationId, doomed.ProjectId);
        var eventsBefore = await AllEventsAsync();

        var deleted = await Store.Organizations.ProjectDeleteAsync(organization.OrganizationId, doomed.ProjectId, auditEvent, Ct);
        var again = await Store.Organizations.ProjectDeleteAsync(organization.OrganizationId, doomed.ProjectId, NewEvent(EventKinds.ProjectDeleted), Ct);
        var otherOrganizations = await Store.Organizations.ProjectDeleteAsync(Ids.New(), kept.ProjectId, NewEvent(EventKinds.ProjectDeleted), Ct);

        Assert.True(deleted);
        Assert.False(again);
        Assert.False(otherOrganizations);
        Assert.Equal([kept], await Store.Organizations.ProjectListAsync(organization.OrganizationId, Ct));
        var data = await Store.Gateways.OrganizationDataGetAsync(organization.OrganizationId, Ct);
        Assert.Equal([kept.ProjectId], data.Projects.Keys);
        Assert.Equal([.. eventsBefore, auditEvent], await AllEventsAsync());
        Assert.True(await Store.Organizations.OrganizationSettingsRevisionAsync(organization.OrganizationId, Ct) > revision);
    }

    [Fact]
    public async Task OrganizationSettingsGetAsync_ListsNameMembersAndProjects_EveryChangeMovesTheRevision()
    {
        var owner = await CreateUserAsync("alice");
        var viewer = await CreateUserAsync("victor");
        var organization = await CreateOrganizationAsync(owner.UserId, "Acme");
        var first = (await Store.Organizations.OrganizationSettingsGetAsync(organization.OrganizationId, Ct))!;

        Assert.True(await Store.Organizations.MembershipAddAsync(organization.OrganizationId, viewer.UserId, OrganizationRole.Viewer, Tick(), NewEvent(EventKinds.MemberAdded), Ct));
        var afterMember = (await Store.Organizations.OrganizationSettingsGetAsync(organization.OrganizationId, Ct))!;
        var project = new Project(Ids.New(), organization.OrganizationId, "Plans", Tick());
        Assert.True(await Store.Organizations.ProjectCreateAsync(project, NewEvent(EventKinds.ProjectCreated), Ct));
        var afterProject = (await Store.Organizations.OrganizationSettingsGetAsync(organization.OrganizationId, Ct))!;

        Assert.Equal("Acme", afterProject.Organization.Name);
        Assert.True(first.Revision < afterMember.Revision && afterMember.Revision < afterProject.Revision);
        Assert.Equal([(owner.UserId, OrganizationRole.Owner), (viewer.UserId, OrganizationRole.Viewer)], afterProject.Members.Select(m => (m.UserId, m.Role)));
        Assert.Equal([project], afterProject.Projects);
        Assert.Null(await Store.Organizations.OrganizationSettingsGetAsync(Ids.New(), Ct));
        Assert.Null(await Store.Organizations.OrganizationSettingsRevisionAsync(Ids.New(), Ct));
    }

    private async Task<(Organization Organization, Demiurge.Identity.User Owner, Demiurge.Identity.User Member)> OrganizationWithMemberAsync(OrganizationRole role)
    {
        var owner = await CreateUserAsync("alice");
        var member = await CreateUserAsync("bob");
        var organization = await CreateOrganizationAsync(owner.UserId, "Acme");
        Assert.True(await Store.Organizations.MembershipAddAsync(organization.OrganizationId, member.UserId, role, Tick(), NewEvent(EventKinds.MemberAdded), Ct));
        return (organization, owner, member);
    }

    /// <summary>Writes rows the interface writes only through a gateway's push (ids only, from the test itself).</summary>
    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
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
}
