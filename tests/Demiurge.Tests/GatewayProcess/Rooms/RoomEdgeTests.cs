using System.Text.RegularExpressions;
using Demiurge.Tests.Infrastructure;
using static Demiurge.Tests.Security.GatewayPermissionMatrixTests;

namespace Demiurge.Tests.GatewayProcess.Rooms;

/// <summary>
/// A room as users reach it: through the edge of a real <c>demiurge up</c>, under the
/// organization's name, with a room ticket from the control plane or a token in the query.
/// </summary>
public sealed partial class RoomEdgeTests
{
    private const string AdminToken = "room-edge-admin-token-0123456789";
    private const string Domain = "demiurge.localhost";

    [Fact]
    public async Task ThroughTheEdge_TicketAndQueryToken_ClientsConverge_AndNoLogLineCarriesTheToken()
    {
        using var dataDir = new TempDirectory();
        string ownerToken;
        string platformOutput;
        await using (var up = DemiurgeProcess.Start(
        [
            "up", "--data-dir", dataDir.Path, "--api-port", "0", "--admin-token", AdminToken, "--pool-ports", PortBlocks.Next(),
            "--pool-size", "1", "--pool-min-ready", "0", "--pool-max", "1", "--gateway-inactivity-timeout", "off", "--rate-limit", "off",
        ]))
        {
            var api = new Uri(await up.WaitForOutputAsync("API:"));
            await up.WaitForOutputAsync("Press Ctrl-C");
            var edgePort = PortOf().Match(up.StandardOutput.Single(l => l.Contains("Edge:", StringComparison.Ordinal))).Groups[1].Value;
            var httpsPort = HttpsPortOf().Match(string.Join('\n', up.StandardOutput)).Groups[1].Value;
            using var admin = new HttpClient { BaseAddress = api };
            admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
            ownerToken = (await PostAsync(admin, "/users", new { username = "room-owner" })).GetProperty("token").GetString()!;
            using var owner = new HttpClient { BaseAddress = api };
            owner.DefaultRequestHeaders.Authorization = new("Bearer", ownerToken);
            var organizationId = (await PostAsync(owner, "/orgs", new { name = "Rooms" })).GetProperty("organization_id").GetString()!;
            var projectId = (await PostAsync(owner, $"/orgs/{organizationId}/projects", new { name = "Plans" })).GetProperty("project_id").GetString()!;
            await StartGatewayAsync(owner, organizationId);
            var ticket = await PostAsync(owner, $"/orgs/{organizationId}/projects/{projectId}/room-ticket", new { });
            Assert.Equal($"/collab/{projectId}", ticket.GetProperty("path").GetString());
            var collab = $"ws://org-{organizationId}.{Domain}:{edgePort}/collab";

            await using var byTicket = await NodeRoomClient.StartAsync(collab, projectId, ticket: ticket.GetProperty("ticket").GetString(), loopback: true);
            await using var byToken = await NodeRoomClient.StartAsync(collab, projectId, token: ownerToken, loopback: true);
            await byTicket.InsertAsync("through the edge");
            await byToken.WaitForTextAsync("through the edge");
            await byToken.AwarenessAsync(new { user = "owner" });
            await byTicket.WaitForAsync("awareness", e => RoomTests.Seen(e, byToken.ClientId, "owner"));

            // wss:// too, with the certificate the edge issues from up's local authority.
            await using var overTls = await NodeRoomClient.StartAsync($"wss://org-{organizationId}.{Domain}:{httpsPort}/collab", projectId, token: ownerToken, loopback: true,
                ca: Demiurge.Edge.EdgeHost.CertificateAuthorityFile(dataDir.Path));
            await overTls.WaitForTextAsync("through the edge");
            await overTls.InsertAsync(" and TLS");
            await byTicket.WaitForTextAsync("through the edge and TLS");
            platformOutput = string.Join('\n', up.StandardOutput.Concat(up.StandardError));
        }

        // Every line the platform wrote (its output, its log files): the query's token is never in one.
        Assert.DoesNotContain(ownerToken, platformOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(ownerToken, string.Join('\n', Directory.EnumerateFiles(dataDir.Path, "*.log", SearchOption.AllDirectories).Select(File.ReadAllText)), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"localhost:(\d+)")]
    private static partial Regex PortOf();

    [GeneratedRegex(@"https://[^\s]*localhost:(\d+)")]
    private static partial Regex HttpsPortOf();
}
