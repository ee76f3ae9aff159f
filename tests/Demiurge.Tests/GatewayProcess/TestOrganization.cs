namespace Demiurge.Tests.GatewayProcess;

/// <summary>
/// An organization served by a test gateway: an owner, an admin and two members, per its config,
/// and an outsider whose user token is valid but who is not a member.
/// </summary>
public sealed record TestOrganization(string OrganizationId, FakeUser Owner, FakeUser Admin, FakeUser Member, FakeUser OtherMember, FakeUser Outsider, FakeGrant Grant)
{
    /// <summary>The config extras listing the four members, for a later allocation of the same organization.</summary>
    public Dictionary<string, object?> MembersConfig() =>
        FakeControlPlane.Members((Owner, "owner"), (Admin, "admin"), (Member, "member"), (OtherMember, "member"));

    /// <summary>Makes users and serves a new organization with them on <paramref name="gateway"/>.</summary>
    internal static async Task<TestOrganization> ServeAsync(GatewayHarness gateway)
    {
        var controlPlane = gateway.ControlPlane;
        var organizationId = Guid.CreateVersion7().ToString();
        var (owner, admin, member, other, outsider) = (
            controlPlane.AddUser("olga"), controlPlane.AddUser("adam"), controlPlane.AddUser("mia"), controlPlane.AddUser("otto"), controlPlane.AddUser("eve"));
        var grant = await gateway.ServeAsync(organizationId,
            FakeControlPlane.Members((owner, "owner"), (admin, "admin"), (member, "member"), (other, "member")));
        return new TestOrganization(organizationId, owner, admin, member, other, outsider, grant);
    }
}
