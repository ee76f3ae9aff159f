using System.ComponentModel.DataAnnotations;

namespace Demiurge.Organizations;

public sealed record CreateOrganizationRequest
{
    [Required(ErrorMessage = "The name is required."), StringLength(OrganizationEndpoints.MaxNameLength, ErrorMessage = "The name must be at most {1} characters."), PrintableName]
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

/// <summary>The settings to change; those left out stay as they are.</summary>
public sealed record UpdateOrganizationRequest
{
    /// <summary>Whether the gateway is released after inactivity (default true). Owners and admins.</summary>
    public bool? GatewayAutoRelease { get; init; }

    /// <summary>The organization's storage quota in bytes, in place of the platform's default. System admins only.</summary>
    [Range(1, long.MaxValue, ErrorMessage = "The storage_quota_bytes must be a positive number of bytes.")]
    public long? StorageQuotaBytes { get; init; }

    /// <summary>
    /// The organization's slug, the DNS label its apps are named under (<c>{app}.{slug}.apps.{domain}</c>):
    /// lower-case letters, digits and single hyphens, unique, not reserved. Owners and admins.
    /// </summary>
    public string? Slug { get; init; }
}

/// <summary>
/// An organization; <c>slug</c> is its unique DNS label, which its apps are named under
/// (<c>{app}.{slug}.apps.{domain}</c>); <c>storage_quota_bytes</c> is a system admin's quota for
/// it, null for the platform's default (<c>--org-storage-quota</c>).
/// </summary>
internal sealed record OrganizationResponse(string OrganizationId, string Name, string Slug, DateTimeOffset CreatedAt, bool GatewayAutoRelease, long? StorageQuotaBytes)
{
    public static OrganizationResponse From(Organization organization) =>
        new(organization.OrganizationId, organization.Name, organization.Slug, organization.CreatedAt, organization.GatewayAutoRelease, organization.StorageQuotaBytes);
}

internal sealed record MemberResponse(string UserId, string Username, OrganizationRole Role, DateTimeOffset CreatedAt)
{
    public static MemberResponse From(Membership membership) =>
        new(membership.UserId, membership.Username, membership.Role, membership.CreatedAt);
}
