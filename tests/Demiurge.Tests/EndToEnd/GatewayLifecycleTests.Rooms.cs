using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Demiurge.Gateways;
using Demiurge.Tests.GatewayProcess.Rooms;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.EndToEnd;

/// <summary>Rooms' durability on real workers: their updates reach the control plane on their own cadence, not the autosave's.</summary>
public partial class GatewayLifecycleTests
{
    [Fact]
    public async Task Room_WorkerKilledWithSigkill_NoUpdateOlderThanTwoSecondsIsLost_TheNextGatewayServesThem()
    {
        // No autosave and no inactivity release: only the rooms' own pushes can save anything.
        await StartAsync(poolSize: 2, inactivity: "off", autosave: "1h");
        await WaitForAsync("two ready gateways", async () => (await GatewaysAsync()).Count(g => g.GetProperty("state").GetString() == "ready") == 2 ? true : (bool?)null);
        var organization = await CreateOrganizationAsync("Durable");
        var project = await CreateProjectAsync(organization, "doc");
        var gatewayId = await StartGatewayAsync(organization);
        var victim = (await GatewaysAsync()).Single(g => g.GetProperty("gateway_id").GetString() == gatewayId);
        await using var writer = await NodeRoomClient.StartAsync(Collab(victim), project, token: AdminToken);
        await writer.WaitForSyncedAsync();

        // Edits that go on for longer than the cap: they are saved while they go on.
        var editing = Stopwatch.StartNew();
        var typed = new StringBuilder();
        while (editing.Elapsed < TimeSpan.FromSeconds(12))
        {
            typed.Append('k');
            await writer.InsertAsync("k");
            await Task.Delay(200);
        }

        Assert.True(await DataVersionAsync(organization) > 0, "nothing was pushed during 12 s of edits");
        await writer.InsertAsync(" last");
        typed.Append(" last");
        await writer.WaitForTextAsync(typed.ToString());
        await Task.Delay(TimeSpan.FromSeconds(2));

        using (var process = Process.GetProcessById(victim.GetProperty("pid").GetInt32()))
        {
            process.Kill(); // SIGKILL: no final push
        }

        var stored = await ControlPlane.Services.GetRequiredService<IGatewayStore>().OrganizationDataGetAsync(organization, CancellationToken.None);
        Assert.Contains(" last", Encoding.UTF8.GetString(Convert.FromBase64String(stored.Projects[project])), StringComparison.Ordinal);

        // The next allocation, on the other gateway, loads the document and its appended updates merged.
        await WaitForAsync("the victim to be gone", async () =>
            (await GatewaysAsync()).Any(g => g.GetProperty("gateway_id").GetString() == gatewayId && g.GetProperty("state").GetString() == "gone") ? true : (bool?)null);
        var again = await StartGatewayAsync(organization);
        Assert.NotEqual(gatewayId, again);
        var successor = (await GatewaysAsync()).Single(g => g.GetProperty("gateway_id").GetString() == again);
        await using var reader = await NodeRoomClient.StartAsync(Collab(successor), project, token: AdminToken);
        await reader.WaitForTextAsync(typed.ToString());
    }

    private const string AdminToken = "lifecycle-admin-token-0123";

    private static string Collab(JsonElement gateway) => gateway.GetProperty("address").GetString()!.Replace("http://", "ws://", StringComparison.Ordinal).TrimEnd('/') + "/collab";
}
