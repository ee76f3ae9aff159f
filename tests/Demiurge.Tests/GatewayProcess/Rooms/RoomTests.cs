using Demiurge.Protocol;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Demiurge.GatewayProcess.Rooms;
using Demiurge.Security;
using Demiurge.Tests.Infrastructure;
using static Demiurge.Tests.GatewayProcess.FakeControlPlane;
using static Demiurge.Tests.GatewayProcess.GatewayHarness;

namespace Demiurge.Tests.GatewayProcess.Rooms;

/// <summary>
/// The rooms of a real worker (against the tests' fake control plane), used by unmodified
/// y-websocket clients under node: sync, awareness, viewers, and who gets in.
/// </summary>
public sealed partial class RoomTests
{
    [Fact]
    public async Task TwoClients_EditTogether_ConvergeAndSeeEachOthersAwareness_ALateThirdGetsTheState()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        await gateway.ServeAsync(NewOrganization());
        var token = gateway.ControlPlane.DefaultMember.Token;

        await using var alice = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await using var bob = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token, header: true);
        await alice.WaitForSyncedAsync();
        await bob.WaitForSyncedAsync();

        await alice.InsertAsync("Hello");
        await bob.WaitForTextAsync("Hello");
        await bob.InsertAsync(", world");
        await alice.WaitForTextAsync("Hello, world");
        await alice.AwarenessAsync(new { user = "alice", cursor = 5 });
        await bob.AwarenessAsync(new { user = "bob", cursor = 12 });
        await bob.WaitForAsync("awareness", e => Seen(e, alice.ClientId, "alice"));
        await alice.WaitForAsync("awareness", e => Seen(e, bob.ClientId, "bob"));

        await using var carol = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await carol.WaitForTextAsync("Hello, world");
        await carol.WaitForAsync("awareness", e => Seen(e, alice.ClientId, "alice") && Seen(e, bob.ClientId, "bob"));

        // The room's state is the project's document, what the next push carries: one merged
        // Yjs update that holds both writers' edits from their first clock on.
        var stored = Convert.FromBase64String((await gateway.GetStateAsync(ProjectA))!);
        var clocks = Demiurge.Yjs.YUpdate.DecodeStateVector(Demiurge.Yjs.YUpdate.EncodeStateVector(stored));
        Assert.Equal(new[] { (ulong)alice.ClientId, (ulong)bob.ClientId }.Order(), clocks.Keys.Order());
    }

    [Fact]
    public async Task ClosedConnection_ItsAwarenessIsRemovedForTheOthers()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        await gateway.ServeAsync(NewOrganization());
        var token = gateway.ControlPlane.DefaultMember.Token;
        await using var alice = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await using var bob = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await bob.AwarenessAsync(new { user = "bob" });
        await alice.WaitForAsync("awareness", e => Seen(e, bob.ClientId, "bob"));
        var after = alice.Events.Count;

        // Killed, not quit: y-websocket's own goodbye never leaves, so the removal is the room's.
        await bob.KillAsync();

        await alice.WaitForAsync("awareness", e => e.GetProperty("states").GetArrayLength() == 0, after);
    }

    [Fact]
    public async Task Viewer_Update_IsRefusedWithPermissionDenied_AndNeitherAppliedNorRelayed()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var owner = gateway.ControlPlane.DefaultMember;
        var viewer = gateway.ControlPlane.AddUser("vera");
        await gateway.ServeAsync(NewOrganization(), Members((owner, "owner"), (viewer, "viewer")));
        await using var writer = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: owner.Token);
        await using var reader = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: viewer.Token);
        await writer.InsertAsync("shared");
        await reader.WaitForTextAsync("shared"); // viewers read

        await reader.InsertAsync("X");
        await reader.WaitForAsync("warn", e => e.GetProperty("text").GetString()!.Contains("viewers read only", StringComparison.Ordinal));
        await writer.InsertAsync("!");

        await writer.WaitForTextAsync("shared!");
        Assert.DoesNotContain(writer.Events, e => e.GetProperty("event").GetString() == "text" && e.GetProperty("text").GetString()!.Contains('X', StringComparison.Ordinal));
        await using var late = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: owner.Token);
        await late.WaitForTextAsync("shared!");
        Assert.Equal("shared!", (await late.DumpAsync()).GetProperty("text").GetString());
    }

    [Fact]
    public async Task Upgrade_RefusedBeforeTheUpgrade_WithProblems()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var outsider = gateway.ControlPlane.AddUser("olga");
        await gateway.ServeAsync(NewOrganization());
        var member = gateway.ControlPlane.DefaultMember.Token;

        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatusAsync(gateway, $"/collab/{ProjectA}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatusAsync(gateway, $"/collab/{ProjectA}?token=dmg_not-a-token"));
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(gateway, $"/collab/{ProjectA}?token={outsider.Token}"));
        Assert.Equal(HttpStatusCode.NotFound, await UpgradeStatusAsync(gateway, $"/collab/{Guid.CreateVersion7()}?token={member}"));
        Assert.Equal(HttpStatusCode.BadRequest, await UpgradeStatusAsync(gateway, $"/collab/not-a-uuid?token={member}"));
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeStatusAsync(gateway, $"/collab/{ProjectA}?token={member}"));

        // Not a WebSocket: the same checks, then 426 problem+json.
        using var plain = await gateway.Http.GetAsync(new Uri($"/collab/{ProjectA}?token={member}", UriKind.Relative));
        await Problems.AssertProblemAsync(plain, HttpStatusCode.UpgradeRequired, "upgrade-required");
        using var forbidden = await gateway.Http.GetAsync(new Uri($"/collab/{ProjectA}?token={outsider.Token}", UriKind.Relative));
        await Problems.AssertProblemAsync(forbidden, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Upgrade_NotServing_Is409()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);

        Assert.Equal(HttpStatusCode.Conflict, await UpgradeStatusAsync(gateway, $"/collab/{ProjectA}?token={gateway.ControlPlane.DefaultMember.Token}"));
    }

    [Fact]
    public async Task Ticket_Valid_OpensTheRoom_ExpiredForgedOrForAnotherRoom_Is401()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var grant = await gateway.ServeAsync(NewOrganization());
        var member = gateway.ControlPlane.DefaultMember;
        var now = gateway.Time.GetUtcNow();
        string Ticket(string projectId, DateTimeOffset expires, System.Security.Cryptography.ECDsa? key = null) =>
            RoomTicket.Issue(key ?? TestSigningKey.Private, TestSigningKey.KeyId, new RoomTicketClaims(grant.OrganizationId, projectId, member.UserId, member.Username, expires));
        using var forger = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var valid = Ticket(ProjectA, now + RoomTicket.Lifetime);
        var tampered = valid[..^4] + (valid[^4] == 'A' ? "B" : "A") + valid[^3..];

        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatusAsync(gateway, $"/collab/{ProjectA}?ticket={Ticket(ProjectA, now - TimeSpan.FromSeconds(1))}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatusAsync(gateway, $"/collab/{ProjectA}?ticket={Ticket(ProjectA, now + RoomTicket.Lifetime, forger)}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatusAsync(gateway, $"/collab/{ProjectA}?ticket={tampered}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatusAsync(gateway, $"/collab/{ProjectB}?ticket={valid}"));

        await using var client = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, ticket: valid);
        await using var other = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: member.Token);
        await client.InsertAsync("by ticket");
        await other.WaitForTextAsync("by ticket");
    }

    [Fact]
    public async Task Config_MemberRemovedOrProjectDeleted_WhileConnected_TheNextUpdateCloses4403Or4404()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var owner = gateway.ControlPlane.DefaultMember;
        var leaver = gateway.ControlPlane.AddUser("leo");
        var grant = await gateway.ServeAsync(NewOrganization(), Members((owner, "owner"), (leaver, "member")));
        await using var leaving = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: leaver.Token);
        await using var staying = await NodeRoomClient.StartAsync(Collab(gateway), ProjectB, token: owner.Token);
        await leaving.WaitForSyncedAsync();
        await staying.WaitForSyncedAsync();

        // Revision 2: the member is gone and project B deleted.
        using var applied = await gateway.Http.SendAsync(await gateway.AsControlPlaneAsync(HttpMethod.Put, "/collab/config", System.Net.Http.Json.JsonContent.Create(new
        {
            organization_id = grant.OrganizationId, settings_revision = 2, organization_name = "Rooms",
            members = new[] { new { user_id = owner.UserId, username = owner.Username, role = "owner" } },
            projects = new[] { new { project_id = ProjectA, name = "A" } },
            storage_quota_bytes = 1L << 20,
        })));
        applied.EnsureSuccessStatusCode();
        await leaving.InsertAsync("after removal");
        await staying.InsertAsync("after deletion");

        Assert.Equal(RoomCloseCodes.NotMember, await leaving.WaitForCloseAsync());
        Assert.Equal(RoomCloseCodes.ProjectDeleted, await staying.WaitForCloseAsync());
        Assert.Null(await gateway.GetStateAsync(ProjectA));
    }

    internal static string NewOrganization() => Guid.CreateVersion7().ToString();

    internal static string Collab(GatewayHarness gateway) => $"ws://127.0.0.1:{gateway.Host.Url.Port}/collab";

    internal static bool Seen(JsonElement awarenessEvent, long clientId, string user) =>
        awarenessEvent.GetProperty("states").EnumerateArray().Any(s => s.GetProperty("clientId").GetInt64() == clientId
            && s.GetProperty("state").ValueKind == JsonValueKind.Object && s.GetProperty("state").TryGetProperty("user", out var u) && u.GetString() == user);

    /// <summary>What the gateway answers a WebSocket upgrade of <paramref name="pathAndQuery"/>: 101 when it upgrades.</summary>
    internal static async Task<HttpStatusCode> UpgradeStatusAsync(GatewayHarness gateway, string pathAndQuery)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.Host.Url.Port}{pathAndQuery}"), CancellationToken.None);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            return HttpStatusCode.SwitchingProtocols;
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode;
        }
    }
}
