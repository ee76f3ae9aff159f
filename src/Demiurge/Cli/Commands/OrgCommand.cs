using System.CommandLine;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge org create|list|show|member</c>.</summary>
internal static class OrgCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "Organization name" };
        var create = new Command("create", "Create an organization; you become its owner.") { name };
        create.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Post, "/orgs", new { name = r.GetValue(name) }, ct));

        var list = new Command("list", "List the organizations you belong to.");
        list.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, "/orgs", null, ct));

        var organizationId = OrganizationIdArgument();
        var show = new Command("show", "Show one organization.") { organizationId };
        show.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, OrganizationPath(r, organizationId), null, ct));

        return new Command("org", "Manage organizations.") { create, list, show, MemberCommand() }.WithClientOptions();
    }

    private static Command MemberCommand()
    {
        var organizationId = OrganizationIdArgument();
        var userId = new Argument<string>("user-id") { Description = "User id" };
        var role = new Option<string>("--role") { Description = "Role in the organization", DefaultValueFactory = _ => "member" };
        role.AcceptOnlyFromAmong("owner", "admin", "member");
        var add = new Command("add", "Add a user to an organization.") { organizationId, userId, role };
        add.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Post, OrganizationPath(r, organizationId) + "/members",
            new { user_id = r.GetValue(userId), role = r.GetValue(role) }, ct));

        var listOrganizationId = OrganizationIdArgument();
        var list = new Command("list", "List an organization's members.") { listOrganizationId };
        list.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, OrganizationPath(r, listOrganizationId) + "/members", null, ct));

        return new Command("member", "Manage an organization's members.") { add, list };
    }

    private static Argument<string> OrganizationIdArgument() => new("organization-id") { Description = "Organization id" };

    private static string OrganizationPath(ParseResult r, Argument<string> organizationId) =>
        $"/orgs/{Uri.EscapeDataString(r.GetValue(organizationId)!)}";
}
