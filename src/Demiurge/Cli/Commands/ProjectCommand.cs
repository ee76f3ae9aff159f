using System.CommandLine;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge project create|list|delete --org ID</c>.</summary>
internal static class ProjectCommand
{
    public static Command Create()
    {
        var organization = new Option<string>("--org") { Description = "Organization id", Required = true, Recursive = true };
        string Path(ParseResult r) => $"/orgs/{Uri.EscapeDataString(r.GetValue(organization)!)}/projects";

        var name = new Argument<string>("name") { Description = "Project name" };
        var create = new Command("create", "Create a project in an organization.") { name };
        create.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Post, Path(r), new { name = r.GetValue(name) }, ct));

        var list = new Command("list", "List an organization's projects.");
        list.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, Path(r), null, ct));

        var projectId = new Argument<string>("project-id") { Description = "Project id" };
        var delete = new Command("delete", "Delete a project and its stored document (owners and admins).") { projectId };
        delete.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Delete, $"{Path(r)}/{Uri.EscapeDataString(r.GetValue(projectId)!)}", null, ct));

        return new Command("project", "Manage projects.") { organization, create, list, delete }.WithClientOptions();
    }
}
