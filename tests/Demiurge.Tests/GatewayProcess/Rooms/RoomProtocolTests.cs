using System.Net.WebSockets;
using Demiurge.GatewayProcess.Rooms;
using static Demiurge.Tests.GatewayProcess.GatewayHarness;

namespace Demiurge.Tests.GatewayProcess.Rooms;

/// <summary>The room's frames byte for byte, as y-protocols encodes them, and its answer to what is not the protocol.</summary>
public sealed class RoomProtocolTests
{
    [Fact]
    public async Task Frames_AreY_ProtocolsOwn()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        await gateway.ServeAsync(RoomTests.NewOrganization());
        using var socket = await ConnectAsync(gateway);

        // On connection: sync (0), step 1 (0), the empty state vector as a varUint8Array (1, 0).
        Assert.Equal([0, 0, 1, 0], await ReceiveAsync(socket));

        await SendAsync(socket, [3]); // query awareness: no one has a state yet
        Assert.Equal([1, 1, 0], await ReceiveAsync(socket));

        await SendAsync(socket, [0, 0, 1, 0]); // the client's step 1: an empty document
        Assert.Equal([0, 1, 2, 0, 0], await ReceiveAsync(socket)); // step 2, the empty update

        // Awareness of client 5 at clock 1: relayed to every connection, the sender's too.
        byte[] entry = [1, 5, 1, 7, .. "{\"a\":1}"u8];
        byte[] awareness = [1, (byte)entry.Length, .. entry];
        await SendAsync(socket, awareness);
        Assert.Equal(awareness, await ReceiveAsync(socket));
    }

    [Theory]
    [InlineData(new byte[] { 7 })] // no such message type
    [InlineData(new byte[] { 0, 9, 0 })] // no such sync type
    [InlineData(new byte[] { 0, 2, 5, 1 })] // an update shorter than its length says
    [InlineData(new byte[] { 1, 3, 1, 5, 1 })] // an awareness entry cut short
    [InlineData(new byte[] { 0, 2, 2, 5, 1 })] // a well-framed update that is no Yjs update (five clients promised, one begun)
    [InlineData(new byte[] { 0, 0, 2, 5, 1 })] // a sync step 1 whose state vector does not decode
    public async Task NotTheProtocol_ClosesWith4400(byte[] message)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        await gateway.ServeAsync(RoomTests.NewOrganization());
        using var socket = await ConnectAsync(gateway);
        await ReceiveAsync(socket);

        await SendAsync(socket, message);

        Assert.Equal(RoomCloseCodes.ProtocolError, await CloseCodeAsync(socket));
    }

    [Fact]
    public async Task TextMessage_ClosesWith4400()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        await gateway.ServeAsync(RoomTests.NewOrganization());
        using var socket = await ConnectAsync(gateway);
        await ReceiveAsync(socket);

        await socket.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        Assert.Equal(RoomCloseCodes.ProtocolError, await CloseCodeAsync(socket));
    }

    private static async Task<ClientWebSocket> ConnectAsync(GatewayHarness gateway)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + gateway.ControlPlane.DefaultMember.Token);
        await socket.ConnectAsync(new Uri($"{RoomTests.Collab(gateway)}/{ProjectA}"), CancellationToken.None);
        return socket;
    }

    private static Task SendAsync(ClientWebSocket socket, byte[] message) =>
        socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

    private static async Task<byte[]> ReceiveAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[64 * 1024];
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
        Assert.True(result.EndOfMessage);
        return buffer[..result.Count];
    }

    private static async Task<int> CloseCodeAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[1024];
        while ((await socket.ReceiveAsync(buffer, timeout.Token)).MessageType != WebSocketMessageType.Close)
        {
        }

        return (int)socket.CloseStatus!.Value;
    }
}
