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

/// <summary>A room ticket: pass it as <c>?ticket=</c> when opening <see cref="Path"/> on the organization's gateway before <see cref="ExpiresAt"/>.</summary>
internal sealed record RoomTicketResponse(string Ticket, DateTimeOffset ExpiresAt, string OrganizationId, string ProjectId, string Path);
