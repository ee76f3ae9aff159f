namespace Demiurge.Events;

/// <summary>The stable names of audit events; dashboards and alerts match on them.</summary>
internal static class EventKinds
{
    public const string UserCreated = "user.created";
    public const string AdminTokenSet = "admin.token_set";
    public const string OrganizationCreated = "organization.created";
    public const string OrganizationUpdated = "organization.updated";
    public const string MemberAdded = "organization.member_added";
    public const string MemberRoleChanged = "organization.member_role_changed";
    public const string MemberRemoved = "organization.member_removed";
    public const string ProjectCreated = "project.created";
    public const string ProjectDeleted = "project.deleted";
    public const string ApiKeyCreated = "api_key.created";
    public const string ApiKeyRevoked = "api_key.revoked";

    /// <summary>A write by an authenticated caller answered 403; the detail is the method and path.</summary>
    public const string RequestRefused = "request.refused";
}
