using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Demiurge.GatewayProcess.Rooms;
using static Demiurge.Tests.GatewayProcess.GatewayHarness;

namespace Demiurge.Tests.GatewayProcess.Rooms;

/// <summary>Rooms across a release, over their limits, and as user activity.</summary>
public sealed partial class RoomTests
{
    [Fact]
    public async Task Release_ClosesWith1012_StateComesBackAtTheNextAllocation_ClientsResync()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var organizationId = NewOrganization();
        await gateway.ServeAsync(organizationId);
        var token = gateway.ControlPlane.DefaultMember.Token;
        await using var alice = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await using var bob = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await alice.InsertAsync("before release");
        await bob.WaitForTextAsync("before release");
        var aliceBefore = alice.Events.Count;
        var bobBefore = bob.Events.Count;

        using (var released = await gateway.ReleaseAsync())
        {
            released.EnsureSuccessStatusCode();
        }

        Assert.Equal(RoomCloseCodes.Released, await alice.WaitForCloseAsync(aliceBefore));
        Assert.Equal(RoomCloseCodes.Released, await bob.WaitForCloseAsync(bobBefore));
        Assert.True(gateway.ControlPlane.Data(organizationId)!.Projects.ContainsKey(ProjectA), "the final push carried the room's document");

        // The next allocation pulls it back; y-websocket reconnects by itself and syncs again.
        await gateway.ServeAsync(organizationId);
        await alice.WaitForSyncedAsync(aliceBefore);
        await bob.WaitForSyncedAsync(bobBefore);
        await using var late = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await late.WaitForTextAsync("before release");
        await bob.InsertAsync(", after");
        await late.WaitForTextAsync("before release, after");
        await alice.WaitForTextAsync("before release, after");
    }

    [Fact]
    public async Task Limits_MessageSizeAndUpdateRate_CloseOnlyThatConnection_WithTheirCodes()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true,
            roomLimits: new RoomLimits { MessageMaxBytes = 1024, UpdatesPerSecond = 5 });
        await gateway.ServeAsync(NewOrganization());
        var token = gateway.ControlPlane.DefaultMember.Token;
        await using var observer = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await using var large = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await using var fast = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await large.WaitForSyncedAsync();
        await fast.WaitForSyncedAsync();

        await large.InsertAsync(new string('L', 2000));
        // The gateway's clock stands still in these tests, so the allowance never refills.
        await fast.SendAsync(new { op = "inserts", text = "f", count = 10 });

        Assert.Equal(RoomCloseCodes.MessageTooLarge, await large.WaitForCloseAsync());
        Assert.Equal(RoomCloseCodes.TooManyUpdates, await fast.WaitForCloseAsync());
        await large.WaitForAsync("closed", e => e.GetProperty("code").GetInt32() == RoomCloseCodes.MessageTooLarge); // final for y-websocket 3: 44xx
        await using var writer = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        // Synced first: an edit made before would be concurrent with the f's, placed by client id.
        await writer.WaitForSyncedAsync();
        await writer.InsertAsync("still up");
        await observer.WaitForAsync("text", e => e.GetProperty("text").GetString()!.Contains("still up", StringComparison.Ordinal));
        Assert.DoesNotContain(observer.Events, e => e.GetProperty("event").GetString() == "text" && e.GetProperty("text").GetString()!.Contains('L', StringComparison.Ordinal));
    }

    [Fact]
    public async Task Limits_ConnectionsPerRoomAndRoomsPerGateway_CloseTheNewcomer_WithTheirCodes()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true,
            roomLimits: new RoomLimits { ConnectionsPerRoom = 1, RoomsPerGateway = 2 });
        await gateway.ServeAsync(NewOrganization());
        var token = gateway.ControlPlane.DefaultMember.Token;
        await using var first = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await first.WaitForSyncedAsync();
        await using var second = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        Assert.Equal(RoomCloseCodes.RoomFull, await second.WaitForCloseAsync());
        await second.DisposeAsync(); // it would retry

        await using var otherRoom = await NodeRoomClient.StartAsync(Collab(gateway), ProjectB, token: token);
        await otherRoom.WaitForSyncedAsync();
        await using var thirdRoom = await NodeRoomClient.StartAsync(Collab(gateway), ProjectC, token: token);
        Assert.Equal(RoomCloseCodes.GatewayFull, await thirdRoom.WaitForCloseAsync());

        await first.InsertAsync("room A goes on");
        await GatewayHarness.WaitUntilAsync(() => gateway.GetStateAsync(ProjectA).Result is not null, "the room's update in the project's document");
    }

    [Fact]
    public async Task Update_OverTheStorageQuota_IsNotApplied_AndClosesWith4420()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        await gateway.ServeAsync(NewOrganization(), storageQuotaBytes: 512);
        var token = gateway.ControlPlane.DefaultMember.Token;
        await using var observer = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await using var writer = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await writer.WaitForSyncedAsync();

        await writer.InsertAsync(new string('Q', 1000));

        Assert.Equal(RoomCloseCodes.StorageQuotaExceeded, await writer.WaitForCloseAsync());
        Assert.Null(await gateway.GetStateAsync(ProjectA));
        Assert.DoesNotContain(observer.Events, e => e.GetProperty("event").GetString() == "text");
    }

    [Fact]
    public async Task Activity_UpdatesAndAwarenessChanges_AreActivity_ARenewalOfTheSameStateIsNot()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        await gateway.ServeAsync(NewOrganization());
        var token = gateway.ControlPlane.DefaultMember.Token;
        await using var observer = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await using var user = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await user.WaitForSyncedAsync();
        await observer.WaitForSyncedAsync();

        await gateway.JumpAsync(TimeSpan.FromSeconds(5));
        var changedAt = gateway.Time.GetUtcNow();
        await user.AwarenessAsync(new { user = "u", cursor = 1 });
        await observer.WaitForAsync("awareness", e => Seen(e, user.ClientId, "u"));
        Assert.Equal(changedAt, await LastActivityAsync(gateway));

        await gateway.JumpAsync(TimeSpan.FromSeconds(5));
        var before = observer.Events.Count;
        await user.SendAsync(new { op = "renew" });
        await observer.WaitForAsync("awareness-update", e => e.GetProperty("updated").GetArrayLength() == 1, before);
        Assert.Equal(changedAt, await LastActivityAsync(gateway)); // what y-protocols sends every 15 s of an idle tab

        var editedAt = gateway.Time.GetUtcNow();
        await user.InsertAsync("typed");
        await observer.WaitForTextAsync("typed");
        Assert.Equal(editedAt, await LastActivityAsync(gateway));
    }

    [Fact]
    public async Task IdleUnload_RoomStaysWhileItHasClientsOrUnsavedUpdates_UnloadedOnceIdle_ItsDocumentStays()
    {
        var idle = TimeSpan.FromMinutes(1);
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true, autosave: TimeSpan.FromHours(1),
            roomLimits: RoomLimits.Default with { SaveDelay = TimeSpan.FromSeconds(4), SaveMaxDelay = TimeSpan.FromSeconds(8), IdleUnload = idle });
        var organizationId = NewOrganization();
        await gateway.ServeAsync(organizationId);
        var rooms = gateway.Host.Services.GetRequiredService<RoomRegistry>();
        var token = gateway.ControlPlane.DefaultMember.Token;
        await using var writer = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await writer.InsertAsync("kept");
        await WaitUntilAsync(() => gateway.GetStateAsync(ProjectA).Result is not null, "the room to take the update");

        // A client is connected: long past the idle time, its updates are pushed and the room stays.
        await gateway.JumpAsync(3 * idle);
        Assert.NotNull(rooms.Find(ProjectA));
        Assert.NotNull(gateway.ControlPlane.Data(organizationId)?.Projects.GetValueOrDefault(ProjectA));

        // An update the control plane cannot take, then the last client goes: unsaved, the room stays past the idle time...
        gateway.ControlPlane.FailAlways(Demiurge.Protocol.GatewayPaths.DataPush, 503);
        var first = await gateway.GetStateAsync(ProjectA);
        await writer.InsertAsync(" more");
        await WaitUntilAsync(() => gateway.GetStateAsync(ProjectA).Result != first, "the room to take the update");
        var pushedBefore = gateway.ControlPlane.Calls(Demiurge.Protocol.GatewayPaths.DataPush).Count;
        await writer.DisposeAsync();
        await WaitUntilAsync(() => rooms.Find(ProjectA)?.ConnectionCount == 0, "the client to leave");
        await gateway.JumpAsync(3 * idle);
        Assert.True(gateway.ControlPlane.Calls(Demiurge.Protocol.GatewayPaths.DataPush).Count > pushedBefore, "the update was not pushed");
        Assert.NotNull(rooms.Find(ProjectA));

        // ... and, once saved and idle, it is unloaded; its document stays with the session for the next client.
        gateway.ControlPlane.FailAlways(Demiurge.Protocol.GatewayPaths.DataPush, null);
        await gateway.JumpAsync(3 * idle); // pushed
        await gateway.JumpAsync(3 * idle);
        Assert.Null(rooms.Find(ProjectA));
        Assert.Equal(0, rooms.Count);
        await using var late = await NodeRoomClient.StartAsync(Collab(gateway), ProjectA, token: token);
        await late.WaitForTextAsync("kept more");
        Assert.Equal(1, rooms.Count);
    }

    private static async Task<DateTimeOffset> LastActivityAsync(GatewayHarness gateway) =>
        (await gateway.ActivityAsync()).GetProperty("last_activity_at").GetDateTimeOffset();
}
