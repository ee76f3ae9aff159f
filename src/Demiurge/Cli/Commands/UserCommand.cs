using System.CommandLine;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge user create|me</c>.</summary>
internal static class UserCommand
{
    public static Command Create()
    {
        var username = new Argument<string>("username") { Description = "Lower-case user name" };
        var create = new Command("create", "Create a user (system admins only); prints its token once.") { username };
        create.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Post, "/users", new { username = r.GetValue(username) }, ct));

        var me = new Command("me", "Show the user your token belongs to.");
        me.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, "/users/me", null, ct));

        return new Command("user", "Manage users.") { create, me }.WithClientOptions();
    }
}
