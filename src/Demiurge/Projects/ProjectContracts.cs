using System.ComponentModel.DataAnnotations;
using Demiurge.Organizations;

namespace Demiurge.Projects;

public sealed record CreateProjectRequest
{
    [Required(ErrorMessage = "The name is required."), StringLength(OrganizationEndpoints.MaxNameLength, ErrorMessage = "The name must be at most {1} characters."), PrintableName]
    public string? Name { get; init; }
}

internal sealed record ProjectResponse(string ProjectId, string OrganizationId, string Name, DateTimeOffset CreatedAt)
{
    public static ProjectResponse From(Project project) => new(project.ProjectId, project.OrganizationId, project.Name, project.CreatedAt);
}
