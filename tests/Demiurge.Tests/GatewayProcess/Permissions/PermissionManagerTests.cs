using Demiurge.GatewayProcess.Containers;
using Demiurge.GatewayProcess.Permissions;

namespace Demiurge.Tests.GatewayProcess.Permissions;

/// <summary>Who may do what, from the members the config lists.</summary>
public sealed class PermissionManagerTests
{
    private static readonly PermissionManager s_permissions = new([
        new OrganizationMember("u-owner", "olga", MemberRole.Owner),
        new OrganizationMember("u-admin", "adam", MemberRole.Admin),
        new OrganizationMember("u-member", "mia", MemberRole.Member),
    ]);

    [Theory]
    [InlineData("u-owner", "u-member", true)]
    [InlineData("u-admin", "u-member", true)]
    [InlineData("u-admin", "u-gone", true)]
    [InlineData("u-member", "u-member", true)]
    [InlineData("u-member", "u-admin", false)]
    [InlineData("u-outsider", "u-outsider", false)]
    public void CanDeleteContainer_ByRoleAndCreator_OwnersAndAdminsAnyMembersTheirOwn(string userId, string createdBy, bool allowed)
    {
        var container = new ContainerRecord("c-1", createdBy, new string('a', 64), "client-1", DateTimeOffset.UnixEpoch);

        Assert.Equal(allowed, s_permissions.CanDeleteContainer(userId, container));
    }

    [Theory]
    [InlineData("u-owner", true)]
    [InlineData("u-admin", true)]
    [InlineData("u-member", true)]
    [InlineData("u-outsider", false)]
    [InlineData("", false)]
    public void CanCreateContainerAndAuthorize_MembersOnly(string userId, bool allowed)
    {
        Assert.Equal(allowed, s_permissions.CanCreateContainer(userId));
        Assert.Equal(allowed, s_permissions.CanAuthorize(userId));
    }

    [Theory]
    [InlineData("owner", "Owner")]
    [InlineData("admin", "Admin")]
    [InlineData("member", "Member")]
    [InlineData("viewer", "Viewer")]
    [InlineData("Owner", null)]
    [InlineData("guest", null)]
    [InlineData(null, null)]
    public void TryParseRole_ConfigSpelling_OnlyTheFourRoles(string? text, string? expected)
    {
        var known = PermissionManager.TryParseRole(text, out var role);

        Assert.Equal(expected, known ? role.ToString() : null);
    }
}
