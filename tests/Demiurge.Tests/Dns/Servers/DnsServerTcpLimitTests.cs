using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Demiurge.Dns;
using Demiurge.Dns.Server;
using Microsoft.Extensions.Logging.Abstractions;

namespace Demiurge.Tests.Dns.Servers;

/// <summary>
/// The embedded server's TCP limits, with real sockets on loopback. Clients bind their own
/// 127.x.y.z address (all of 127/8 is loopback) to act as different sources.
/// </summary>
public sealed class DnsServerTcpLimitTests(EmbeddedDnsServerFixture server) : IClassFixture<EmbeddedDnsServerFixture>, IAsyncLifetime
{
    private const string Name = $"mail.{EmbeddedDnsServerFixture.Zone}";
    private const string BigName = $"big.{EmbeddedDnsServerFixture.Zone}";

    public async ValueTask InitializeAsync() => await server.ApplyAsync(
        new DnsRecordSet(Name, "A", 300, ["10.0.0.25"]),
        new DnsRecordSet(BigName, "TXT", 300, [.. Enumerable.Range(0, 40).Select(i => $"text {i:D2} " + new string('x', 200))]));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Tcp_OneSourceOpensMoreThanEverySlot_AnotherSourceStillAnswered()
    {
        var limits = new DnsTcpLimits(MaxConnections: 256, MaxConnectionsPerSource: 16, IdleTimeout: TimeSpan.FromSeconds(60));
        await using var dns = DnsServer.Start(new IPEndPoint(IPAddress.Loopback, 0), () => server.Served.Current, limits, NullLogger.Instance);
        var greedy = new List<Socket>();
        try
        {
            for (var i = 0; i < 300; i++)
            {
                greedy.Add(await ConnectAsync(dns.EndPoint, IPAddress.Parse("127.0.0.2")));
            }

            using var other = await ConnectAsync(dns.EndPoint, IPAddress.Parse("127.0.0.3"));
            Assert.True(await QueryAsync(other, 0x0B0B), "A second source found no slot.");

            var answered = 0;
            foreach (var connection in greedy)
            {
                answered += await QueryAsync(connection, 0x0A0A) ? 1 : 0;
            }

            Assert.Equal(limits.MaxConnectionsPerSource, answered);
            Assert.Equal(limits.MaxConnectionsPerSource + 1, dns.TcpConnections);
        }
        finally
        {
            greedy.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Tcp_IdleOrTricklingConnection_ClosedAfterTheTimeout()
    {
        var limits = DnsTcpLimits.Default with { IdleTimeout = TimeSpan.FromMilliseconds(500) };
        await using var dns = DnsServer.Start(new IPEndPoint(IPAddress.Loopback, 0), () => server.Served.Current, limits, NullLogger.Instance);
        using var idle = await ConnectAsync(dns.EndPoint, IPAddress.Loopback);
        using var trickling = await ConnectAsync(dns.EndPoint, IPAddress.Loopback);

        Assert.True(await QueryAsync(idle, 0x1234));
        var started = Stopwatch.StartNew();
        await trickling.SendAsync(new byte[] { 0 }, TestContext.Current.CancellationToken);

        Assert.Equal(0, await ReadAsync(idle, new byte[1], TimeSpan.FromSeconds(10)));
        Assert.Equal(0, await ReadAsync(trickling, new byte[1], TimeSpan.FromSeconds(10)));
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(10));
        await EventuallyConnectionsAsync(dns, 0);
    }

    [Fact]
    public async Task Tcp_ClientStopsReadingAnswers_ConnectionDroppedAfterTheTimeout()
    {
        var limits = DnsTcpLimits.Default with { IdleTimeout = TimeSpan.FromMilliseconds(500) };
        await using var dns = DnsServer.Start(new IPEndPoint(IPAddress.Loopback, 0), () => server.Served.Current, limits, NullLogger.Instance);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        await client.ConnectAsync(dns.EndPoint, TestContext.Current.CancellationToken);

        // Queries for a 9 KB answer without end, none read: the server always has a query to
        // read, so only its blocked write can end the connection.
        var query = Framed(Packets.Query(0x5555, BigName, DnsType.TXT));
        var flooding = Task.Run(async () =>
        {
            while (true)
            {
                await client.SendAsync(query, TestContext.Current.CancellationToken);
            }
        }, TestContext.Current.CancellationToken);

        await EventuallyConnectionsAsync(dns, 1);
        await EventuallyConnectionsAsync(dns, 0);
        var error = await Record.ExceptionAsync(() => flooding.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.IsType<SocketException>(error);
    }

    private static async Task EventuallyConnectionsAsync(DnsServer dns, int expected)
    {
        var deadline = Stopwatch.StartNew();
        while (dns.TcpConnections != expected && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(expected, dns.TcpConnections);
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint server, IPAddress source)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(server, TestContext.Current.CancellationToken);
        return socket;
    }

    /// <summary>Sends a query for <see cref="Name"/>; whether its answer came back on this connection.</summary>
    private static async Task<bool> QueryAsync(Socket connection, ushort id)
    {
        try
        {
            await connection.SendAsync(Framed(Packets.Query(id, Name)), TestContext.Current.CancellationToken);
            var reply = new byte[512];
            var received = 0;
            while (received < 4)
            {
                var read = await ReadAsync(connection, reply.AsMemory(received), TimeSpan.FromSeconds(10));
                if (read == 0)
                {
                    return false;
                }

                received += read;
            }

            return BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(2)) == id;
        }
        catch (SocketException)
        {
            // Reset by the server, which closed the connection at once.
            return false;
        }
    }

    private static async Task<int> ReadAsync(Socket connection, Memory<byte> buffer, TimeSpan timeout)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            return await connection.ReceiveAsync(buffer, limit.Token);
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
            return 0;
        }
    }

    private static byte[] Framed(byte[] packet)
    {
        var framed = new byte[2 + packet.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)packet.Length);
        packet.CopyTo(framed, 2);
        return framed;
    }
}
