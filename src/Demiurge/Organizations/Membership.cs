namespace Demiurge.Organizations;

internal sealed record Membership(string OrganizationId, string UserId, string Username, OrganizationRole Role, DateTimeOffset CreatedAt);
