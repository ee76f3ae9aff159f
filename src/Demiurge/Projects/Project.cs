namespace Demiurge.Projects;

internal sealed record Project(string ProjectId, string OrganizationId, string Name, DateTimeOffset CreatedAt);
