using System.CommandLine;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge pool status|list|allocate|release</c>.</summary>
internal static class PoolCommand
{
    public static Command Create()
    {
        var status = new Command("status", "The pool's counts by state (system admins).");
        status.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, "/gateways/stats", null, ct));

        var list = new Command("list", "Every gateway with its state, organization, port and pid (system admins).");
        list.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, "/gateways", null, ct));

        var organizationId = new Argument<string>("organization-id") { Description = "Organization id" };
        var allocate = new Command("allocate", "Give the organization its gateway (or show the one it has).") { organizationId };
        allocate.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Post, "/gateway/start", new { organization_id = r.GetValue(organizationId) }, ct));

        var gatewayId = new Argument<string>("gateway-id") { Description = "Gateway id" };
        var release = new Command("release", "Drain and release a gateway now, after a final push (system admins).") { gatewayId };
        release.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Post, $"/gateways/{Uri.EscapeDataString(r.GetValue(gatewayId)!)}/release", null, ct));

        return new Command("pool", "The gateway pool.") { status, list, allocate, release }.WithClientOptions();
    }
}
