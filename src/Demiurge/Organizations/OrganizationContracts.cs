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

    /// <summary>owner, admin or member.</summary>
    [Required(ErrorMessage = "The role is required."), AllowedValues("owner", "admin", "member", ErrorMessage = "The role must be owner, admin or member.")]
    public string? Role { get; init; }
}

internal sealed record OrganizationResponse(string OrganizationId, string Name, DateTimeOffset CreatedAt)
{
    public static OrganizationResponse From(Organization organization) =>
        new(organization.OrganizationId, organization.Name, organization.CreatedAt);
}

internal sealed record MemberResponse(string UserId, string Username, OrganizationRole Role, DateTimeOffset CreatedAt)
{
    public static MemberResponse From(Membership membership) =>
        new(membership.UserId, membership.Username, membership.Role, membership.CreatedAt);
}
