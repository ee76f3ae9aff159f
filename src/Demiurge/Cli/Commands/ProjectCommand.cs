using System.CommandLine;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge project create|list --org ID</c>.</summary>
internal static class ProjectCommand
{
    private static readonly Argument<string> s_name = new("name") { Description = "Project name" };
    private static readonly Option<string> s_organization = new("--org")
    {
        Description = "Organization id",
        Required = true,
        Recursive = true,
    };

    public static Command Create()
    {
        var create = new Command("create", "Create a project in an organization.") { s_name };
        create.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Post, Path(r), new { name = r.GetValue(s_name) }, ct));

        var list = new Command("list", "List an organization's projects.");
        list.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, Path(r), null, ct));

        return new Command("project", "Manage projects.") { s_organization, create, list }.WithClientOptions();
    }

    private static string Path(ParseResult r) => $"/orgs/{Uri.EscapeDataString(r.GetValue(s_organization)!)}/projects";
}
