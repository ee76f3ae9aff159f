namespace Demiurge.Organizations;

/// <summary>A member's role in an organization, from most to least powerful.</summary>
internal enum OrganizationRole
{
    Owner,
    Admin,
    Member,

    /// <summary>Reads the organization's projects and data; every write is refused (403).</summary>
    Viewer,
}
