using System.CommandLine;
using Demiurge.ApiKeys;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge token create|list|revoke</c>: API keys for automation.</summary>
internal static class TokenCommand
{
    private const long SecondsPerDay = 24 * 60 * 60;

    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "What the key is for, e.g. 'ci deploy'" };
        var scopes = new Option<string[]>("--scope") { Description = "A scope the key holds; repeat for several", Required = true };
        scopes.AcceptOnlyFromAmong([.. ApiKeyScopes.All]);
        var organization = new Option<string?>("--org") { Description = "Limit the key to this organization id" };
        var days = new Option<int?>("--expires-in-days") { Description = "Days until the key expires (default 90, at most 365)" };
        var create = new Command("create", "Create an API key acting as you; the key is shown once.") { name, scopes, organization, days };
        create.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Post, "/tokens", new
        {
            name = r.GetValue(name),
            scopes = r.GetValue(scopes),
            organization_id = r.GetValue(organization),
            expires_in = r.GetValue(days) * SecondsPerDay,
        }, ct));

        var all = new Option<bool>("--all") { Description = "Every user's keys (system admins)" };
        var list = new Command("list", "List your API keys with their last use.") { all };
        list.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, r.GetValue(all) ? "/tokens?all=true" : "/tokens", null, ct));

        var keyId = new Argument<string>("key-id") { Description = "API key id" };
        var revoke = new Command("revoke", "Revoke an API key (your own; any for system admins).") { keyId };
        revoke.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Delete, $"/tokens/{Uri.EscapeDataString(r.GetValue(keyId)!)}", null, ct));

        return new Command("token", "Manage API keys for automation.") { create, list, revoke }.WithClientOptions();
    }
}
