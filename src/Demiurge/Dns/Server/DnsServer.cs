using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Demiurge.Dns.Server;

/// <summary>
/// The embedded authoritative server: UDP and TCP on one address and port, answering every
/// packet from the current version of the zone. A packet never stops it: whatever goes wrong
/// with one is logged and the packet dropped.
/// </summary>
internal sealed partial class DnsServer : IAsyncDisposable
{
    private readonly Func<DnsZone> _zone;
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _serving;
    private readonly DnsTcpLimits _limits;

    // Open TCP connections per source (see Source); guarded by itself. A source's entry goes
    // when its last connection closes, so the map holds at most MaxConnections entries.
    private readonly Dictionary<UInt128, int> _tcpBySource = [];
    private int _tcpConnections;

    private DnsServer(Func<DnsZone> zone, Socket udp, Socket tcp, DnsTcpLimits limits, ILogger logger)
    {
        _zone = zone;
        _limits = limits;
        _udp = udp;
        _tcp = tcp;
        _logger = logger;
        var udpLoops = Enumerable.Range(0, Math.Max(2, Environment.ProcessorCount))
            .Select(_ => Task.Factory.StartNew(() => ServeUdp(_stopping.Token), _stopping.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        _serving = Task.WhenAll([.. udpLoops, AcceptTcpAsync(_stopping.Token)]);
    }

    /// <summary>Where the server listens (the port is the one chosen when 0 was asked for).</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_udp.LocalEndPoint!;

    /// <summary>TCP connections open now.</summary>
    public int TcpConnections => Volatile.Read(ref _tcpConnections);

    /// <summary>Binds UDP and TCP to the same port and starts serving.</summary>
    /// <exception cref="IOException">The address or port cannot be bound.</exception>
    public static DnsServer Start(IPEndPoint endPoint, Func<DnsZone> zone, DnsTcpLimits limits, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(limits);
        // With port 0 the free UDP port may be taken for TCP; another free port is tried then.
        for (var attempt = 1; ; attempt++)
        {
            var udp = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            var tcp = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                udp.Bind(endPoint);
                tcp.Bind(new IPEndPoint(endPoint.Address, ((IPEndPoint)udp.LocalEndPoint!).Port));
                tcp.Listen(512);
                return new DnsServer(zone, udp, tcp, limits, logger);
            }
            catch (SocketException exception)
            {
                udp.Dispose();
                tcp.Dispose();
                if (endPoint.Port != 0 || attempt == 10)
                {
                    throw new IOException($"The DNS server cannot listen on {endPoint} (UDP and TCP): {exception.Message}", exception);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _udp.Dispose();
        _tcp.Dispose();
        await _serving;
        _stopping.Dispose();
    }

    // Blocking receives on threads of their own: a UDP query is one packet in and one out, and
    // the async machinery per packet cost more than the answer itself (measured in bench/dns.sh).
    private void ServeUdp(CancellationToken cancellationToken)
    {
        var packet = new byte[DnsResponder.MaxMessageSize];
        var reply = new byte[DnsResponder.MaxMessageSize];
        var client = new SocketAddress(_udp.AddressFamily);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var received = _udp.ReceiveFrom(packet, SocketFlags.None, client);
                var length = Respond(packet.AsSpan(0, received), reply, overTcp: false);
                if (length > 0)
                {
                    _udp.SendTo(reply.AsSpan(0, length), SocketFlags.None, client);
                }
            }
            catch (SocketException) when (!cancellationToken.IsCancellationRequested)
            {
                // A client gone away (an ICMP error for an earlier reply) concerns that client only.
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
            {
                // Closing the socket is how a blocked receive learns the server stops.
                return;
            }
        }
    }

    private async Task AcceptTcpAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var connection = await _tcp.AcceptAsync(cancellationToken);
                var source = Source(connection);
                if (!TryOpen(source))
                {
                    // RFC 7766 6.2.2 lets a server close connections it will not serve; the
                    // client retries, and another source still finds a slot.
                    connection.Dispose();
                    continue;
                }

                _ = ServeTcpAsync(connection, source, cancellationToken);
            }
            catch (SocketException)
            {
                // An aborted connection before accept completed; keep accepting.
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    // RFC 1035 4.2.2 and RFC 7766: each message behind a two-byte length, many per connection.
    private async Task ServeTcpAsync(Socket connection, UInt128 source, CancellationToken cancellationToken)
    {
        await using var stream = new NetworkStream(connection, ownsSocket: true);
        var packet = new byte[DnsResponder.MaxMessageSize];
        var reply = new byte[DnsResponder.MaxMessageSize];
        var framed = new byte[2 + DnsResponder.MaxMessageSize];
        // One deadline per query and its answer, restarted each time: a client that goes quiet,
        // trickles a query in or stops reading answers (the write then blocks) loses its slot.
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (true)
            {
                idle.CancelAfter(_limits.IdleTimeout);
                await stream.ReadExactlyAsync(packet.AsMemory(0, 2), idle.Token);
                var size = BinaryPrimitives.ReadUInt16BigEndian(packet);
                await stream.ReadExactlyAsync(packet.AsMemory(0, size), idle.Token);
                var length = Respond(packet.AsSpan(0, size), reply, overTcp: true);
                if (length == 0)
                {
                    return;
                }

                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)length);
                reply.AsSpan(0, length).CopyTo(framed.AsSpan(2));
                await stream.WriteAsync(framed.AsMemory(0, 2 + length), idle.Token);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or EndOfStreamException)
        {
            // The client closed, went idle, or the server is stopping: the connection ends here.
        }
        finally
        {
            Close(source);
        }
    }

    private bool TryOpen(UInt128 source)
    {
        lock (_tcpBySource)
        {
            _tcpBySource.TryGetValue(source, out var open);
            if (_tcpConnections >= _limits.MaxConnections || open >= _limits.MaxConnectionsPerSource)
            {
                return false;
            }

            _tcpBySource[source] = open + 1;
            _tcpConnections++;
            return true;
        }
    }

    private void Close(UInt128 source)
    {
        lock (_tcpBySource)
        {
            var open = _tcpBySource[source] - 1;
            if (open == 0)
            {
                _tcpBySource.Remove(source);
            }
            else
            {
                _tcpBySource[source] = open;
            }

            _tcpConnections--;
        }
    }

    // What one client holds: its IPv4 address, or the /64 of its IPv6 address (a host gets a
    // whole /64, so counting single IPv6 addresses would bound nothing). An IPv6 key has its low
    // 64 bits zero and an IPv4 key its high 64 bits, so the two never meet.
    private static UInt128 Source(Socket connection)
    {
        var address = ((IPEndPoint)connection.RemoteEndPoint!).Address;
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return address.AddressFamily == AddressFamily.InterNetwork
            ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
            : (UInt128)BinaryPrimitives.ReadUInt64BigEndian(bytes) << 64;
    }

    private int Respond(ReadOnlySpan<byte> packet, byte[] reply, bool overTcp)
    {
        try
        {
            return DnsResponder.Respond(_zone(), packet, reply, overTcp);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogPacketFailed(_logger, exception, packet.Length);
            return 0;
        }
    }

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "A DNS packet of {Length} bytes could not be answered; it is dropped.")]
    private static partial void LogPacketFailed(ILogger logger, Exception exception, int length);
}
