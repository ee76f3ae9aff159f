using System.ComponentModel.DataAnnotations;

namespace Demiurge.Organizations;

public sealed record CreateOrganizationRequest
{
    [Required(ErrorMessage = "The name is required."), StringLength(OrganizationEndpoints.MaxNameLength, ErrorMessage = "The name must be at most {1} characters."), RegularExpression(OrganizationEndpoints.NamePattern,
        ErrorMessage = OrganizationEndpoints.NamePatternMessage)]
    public string? Name { get; init; }
}

public sealed record AddMemberRequest
{
    [Required(ErrorMessage = "The user_id is required.")]
    public string? UserId { get; init; }

    /// <summary>owner, admin, member or viewer.</summary>
    [Required(ErrorMessage = "The role is required."), AllowedValues("owner", "admin", "member", "viewer", ErrorMessage = "The role must be owner, admin, member or viewer.")]
    public string? Role { get; init; }
}

public sealed record UpdateMemberRequest
{
    /// <summary>owner, admin, member or viewer.</summary>
    [Required(ErrorMessage = "The role is required."), AllowedValues("owner", "admin", "member", "viewer", ErrorMessage = "The role must be owner, admin, member or viewer.")]
    public string? Role { get; init; }
}

public sealed record UpdateOrganizationRequest
{
    /// <summary>Whether the gateway is released after inactivity (default true).</summary>
    [Required(ErrorMessage = "The gateway_auto_release is required.")]
    public bool? GatewayAutoRelease { get; init; }
}

internal sealed record OrganizationResponse(string OrganizationId, string Name, DateTimeOffset CreatedAt, bool GatewayAutoRelease)
{
    public static OrganizationResponse From(Organization organization) =>
        new(organization.OrganizationId, organization.Name, organization.CreatedAt, organization.GatewayAutoRelease);
}

internal sealed record MemberResponse(string UserId, string Username, OrganizationRole Role, DateTimeOffset CreatedAt)
{
    public static MemberResponse From(Membership membership) =>
        new(membership.UserId, membership.Username, membership.Role, membership.CreatedAt);
}
