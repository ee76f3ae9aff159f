using Demiurge.Projects;

namespace Demiurge.Organizations;

/// <summary>
/// What an organization's gateway must know of it, at <see cref="Revision"/> or later: the
/// revision is read first, so the lists are never older than it says.
/// </summary>
internal sealed record OrganizationSettings(Organization Organization, long Revision, IReadOnlyList<Membership> Members, IReadOnlyList<Project> Projects);
