using System.CommandLine;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge org create|list|show|member</c>.</summary>
internal static class OrgCommand
{
    private static readonly Argument<string> s_name = new("name") { Description = "Organization name" };
    private static readonly Argument<string> s_organizationId = new("organization-id") { Description = "Organization id" };
    private static readonly Argument<string> s_userId = new("user-id") { Description = "User id" };
    private static readonly Option<string> s_role = new("--role")
    {
        Description = "Role in the organization",
        DefaultValueFactory = _ => "member",
    };

    public static Command Create()
    {
        var create = new Command("create", "Create an organization; you become its owner.") { s_name };
        create.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Post, "/orgs", new { name = r.GetValue(s_name) }, ct));

        var list = new Command("list", "List the organizations you belong to.");
        list.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, "/orgs", null, ct));

        var show = new Command("show", "Show one organization.") { s_organizationId };
        show.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, $"/orgs/{Uri.EscapeDataString(r.GetValue(s_organizationId)!)}", null, ct));

        s_role.AcceptOnlyFromAmong("owner", "admin", "member");
        var memberAdd = new Command("add", "Add a user to an organization.") { s_organizationId, s_userId, s_role };
        memberAdd.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Post,
            $"/orgs/{Uri.EscapeDataString(r.GetValue(s_organizationId)!)}/members",
            new { user_id = r.GetValue(s_userId), role = r.GetValue(s_role) }, ct));

        var memberList = new Command("list", "List an organization's members.") { s_organizationId };
        memberList.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, $"/orgs/{Uri.EscapeDataString(r.GetValue(s_organizationId)!)}/members", null, ct));

        return new Command("org", "Manage organizations.")
        {
            create,
            list,
            show,
            new Command("member", "Manage an organization's members.") { memberAdd, memberList },
        }.WithClientOptions();
    }
}
