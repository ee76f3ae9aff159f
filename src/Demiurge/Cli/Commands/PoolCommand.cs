using System.CommandLine;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge pool status|list|create|allocate|release</c>: seed 002's pool script verbs.</summary>
internal static class PoolCommand
{
    public static Command Create()
    {
        var status = new Command("status", "The pool's counts by state (system admins).");
        status.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, "/gateways/stats", null, ct));

        var list = new Command("list", "Every gateway with its state, organization, port and pid (system admins).");
        list.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, "/gateways", null, ct));

        var count = new Argument<int>("count") { Description = "How many workers to add" };
        var create = new Command("create", "Start more workers now, within --pool-max (system admins).") { count };
        create.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Post, "/gateways", new { count = r.GetValue(count) }, ct));

        var organizationId = new Argument<string>("organization-id") { Description = "Organization id" };
        var allocate = new Command("allocate", "Give the organization its gateway (or show the one it has).") { organizationId };
        allocate.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Post, "/gateway/start", new { organization_id = r.GetValue(organizationId) }, ct));

        var gatewayId = new Argument<string?>("gateway-id") { Description = "Gateway id", Arity = ArgumentArity.ZeroOrOne };
        var organization = new Option<string?>("--org") { Description = "Release this organization's gateway instead" };
        var release = new Command("release", "Drain and release a gateway, or an organization's, now, after a final push (system admins).") { gatewayId, organization };
        release.Validators.Add(result =>
        {
            if ((result.GetValue(gatewayId) is null) == (result.GetValue(organization) is null))
            {
                result.AddError("Give either a gateway id or --org ORG.");
            }
        });
        release.SetAction((r, ct) => r.GetValue(organization) is { } org
            ? ApiClient.SendAsync(r, HttpMethod.Post, "/gateways/release", new { organization_id = org }, ct)
            : ApiClient.SendAsync(r, HttpMethod.Post, $"/gateways/{Uri.EscapeDataString(r.GetValue(gatewayId)!)}/release", null, ct));

        return new Command("pool", "The gateway pool.") { status, list, create, allocate, release }.WithClientOptions();
    }
}
