using System.CommandLine;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge org create|list|show|set-slug|member add|list|set-role|remove</c>.</summary>
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

        var slugOrganizationId = OrganizationIdArgument();
        var slug = new Argument<string>("slug") { Description = "The new slug: lower-case letters, digits and single hyphens; its apps are named {app}.{slug}.apps.{domain}" };
        var setSlug = new Command("set-slug", "Change an organization's slug (owners and admins).") { slugOrganizationId, slug };
        setSlug.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Patch, OrganizationPath(r, slugOrganizationId), new { slug = r.GetValue(slug) }, ct));

        return new Command("org", "Manage organizations.") { create, list, show, setSlug, MemberCommand() }.WithClientOptions();
    }

    private static Command MemberCommand()
    {
        var organizationId = OrganizationIdArgument();
        var userId = new Argument<string>("user-id") { Description = "User id" };
        var role = new Option<string>("--role") { Description = "Role in the organization", DefaultValueFactory = _ => "member" };
        role.AcceptOnlyFromAmong(Roles);
        var add = new Command("add", "Add a user to an organization.") { organizationId, userId, role };
        add.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Post, OrganizationPath(r, organizationId) + "/members",
            new { user_id = r.GetValue(userId), role = r.GetValue(role) }, ct));

        var listOrganizationId = OrganizationIdArgument();
        var list = new Command("list", "List an organization's members.") { listOrganizationId };
        list.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, OrganizationPath(r, listOrganizationId) + "/members", null, ct));

        var setOrganizationId = OrganizationIdArgument();
        var setUserId = new Argument<string>("user-id") { Description = "User id" };
        var newRole = new Argument<string>("role") { Description = "The new role: owner, admin, member or viewer" };
        newRole.AcceptOnlyFromAmong(Roles);
        var setRole = new Command("set-role", "Change a member's role (owners and admins; only owners change owners).") { setOrganizationId, setUserId, newRole };
        setRole.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Patch, MemberPath(r, setOrganizationId, setUserId), new { role = r.GetValue(newRole) }, ct));

        var removeOrganizationId = OrganizationIdArgument();
        var removeUserId = new Argument<string>("user-id") { Description = "User id" };
        var remove = new Command("remove", "Remove a member (owners and admins; only owners remove owners).") { removeOrganizationId, removeUserId };
        remove.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Delete, MemberPath(r, removeOrganizationId, removeUserId), null, ct));

        return new Command("member", "Manage an organization's members.") { add, list, setRole, remove };
    }

    private static readonly string[] Roles = ["owner", "admin", "member", "viewer"];

    private static string MemberPath(ParseResult r, Argument<string> organizationId, Argument<string> userId) =>
        $"{OrganizationPath(r, organizationId)}/members/{Uri.EscapeDataString(r.GetValue(userId)!)}";

    private static Argument<string> OrganizationIdArgument() => new("organization-id") { Description = "Organization id" };

    private static string OrganizationPath(ParseResult r, Argument<string> organizationId) =>
        $"/orgs/{Uri.EscapeDataString(r.GetValue(organizationId)!)}";
}
