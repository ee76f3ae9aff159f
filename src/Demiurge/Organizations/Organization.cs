namespace Demiurge.Organizations;

internal sealed record Organization(string OrganizationId, string Name, DateTimeOffset CreatedAt);
