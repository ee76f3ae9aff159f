using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace Demiurge.GatewayProcess.Rooms;

/// <summary>
/// One client's WebSocket in a room: a receive loop that reads whole messages within
/// <see cref="RoomLimits.MessageMaxBytes"/> and hands them to the room's protocol (<see cref="RoomProtocol"/>), and a send
/// loop that writes what the room queued, in order. <see cref="Close"/> may be called from
/// anywhere (the room's lock, a release): it only queues the close.
/// </summary>
internal sealed class RoomConnection
{
    /// <summary>Messages queued for a client that does not read them; past this it is closed (<see cref="RoomCloseCodes.TooSlow"/>).</summary>
    public const int MaxQueuedMessages = 8192;

    /// <summary>The reasons are ASCII; a close frame carries at most 123 bytes of one.</summary>
    private const int MaxCloseReasonLength = 120;

    /// <summary>How long a client has to answer the room's close before its socket is dropped.</summary>
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(5);

    private readonly WebSocket _socket;
    private readonly Channel<byte[]> _outgoing = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(MaxQueuedMessages) { SingleReader = true });
    private readonly int _maxMessageBytes;
    private int _closeCode;
    private double _tokens;
    private long _lastRefill;
    private string _closeReason = string.Empty;

    public RoomConnection(WebSocket socket, RoomUser user, int maxMessageBytes)
    {
        _socket = socket;
        User = user;
        _maxMessageBytes = maxMessageBytes;
    }

    public RoomUser User { get; }

    /// <summary>The code this side closed with; 0 while open or when the client closed first.</summary>
    public int CloseCode => Volatile.Read(ref _closeCode);

    /// <summary>Queues <paramref name="message"/>; a client too far behind is closed instead.</summary>
    public void Send(byte[] message)
    {
        if (!_outgoing.Writer.TryWrite(message))
        {
            Close(RoomCloseCodes.TooSlow, "too far behind");
        }
    }

    /// <summary>Closes with <paramref name="code"/> once what is queued is sent; the first close wins.</summary>
    public void Close(int code, string reason)
    {
        if (Interlocked.CompareExchange(ref _closeCode, code, 0) == 0)
        {
            _closeReason = reason.Length <= MaxCloseReasonLength ? reason : reason[..MaxCloseReasonLength]; // a close frame's reason is at most 123 bytes
            _outgoing.Writer.TryComplete();
            // A client that never answers the close must not hold the connection.
            _ = Task.Delay(s_closeTimeout, TimeProvider.System).ContinueWith(
                _ => { if (_socket.State != WebSocketState.Closed) { _socket.Abort(); } }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Takes one update from the connection's allowance (<see cref="RoomLimits.UpdatesPerSecond"/>,
    /// in bursts of as many); false when it has none left. Called by the receive loop only.
    /// </summary>
    public bool TryTakeUpdate(long timestamp, TimeProvider time, int perSecond)
    {
        ArgumentNullException.ThrowIfNull(time);
        _tokens = _lastRefill == 0 ? perSecond : Math.Min(perSecond, _tokens + (time.GetElapsedTime(_lastRefill, timestamp).TotalSeconds * perSecond));
        _lastRefill = timestamp;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens--;
        return true;
    }

    /// <summary>
    /// Runs the connection until either side closes it; each message goes to <paramref name="handle"/>,
    /// in order. Once this side closes, what the client still sends is read and dropped until its
    /// close answers (or <see cref="s_closeTimeout"/> passes), so the close code reaches it.
    /// </summary>
    /// <remarks>
    /// Between messages the connection waits with a zero-byte receive and holds no buffer: an idle
    /// client costs no receive buffer here (nor, through the upgraded stream, in Kestrel's transport).
    /// </remarks>
    public async Task RunAsync(Action<RoomConnection, ReadOnlyMemory<byte>> handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var sending = SendAsync(cancellationToken);
        try
        {
            while (true)
            {
                var waited = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
                if (waited.MessageType == WebSocketMessageType.Close || !await ReceiveMessageAsync(waited, handle, cancellationToken))
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            _socket.Abort();
        }
        finally
        {
            Close((int?)_socket.CloseStatus ?? (int)WebSocketCloseStatus.NormalClosure, string.Empty);
            await sending;
        }
    }

    /// <summary>Reads the rest of the message <paramref name="first"/> began and handles it; false when the client closed instead.</summary>
    private async Task<bool> ReceiveMessageAsync(ValueWebSocketReceiveResult first, Action<RoomConnection, ReadOnlyMemory<byte>> handle, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var length = 0;
            var tooLarge = false;
            var result = first;
            while (!result.EndOfMessage)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= _maxMessageBytes)
                    {
                        tooLarge = true; // read on and drop the rest, so that the close reaches the client
                        length = 0;
                    }
                    else
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_maxMessageBytes, buffer.Length * 2));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }

                result = await _socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return false;
                }

                length += result.Count;
            }

            if (CloseCode != 0)
            {
                return true;
            }

            if (tooLarge || length > _maxMessageBytes)
            {
                Close(RoomCloseCodes.MessageTooLarge, $"a message is larger than {_maxMessageBytes} bytes");
            }
            else if (result.MessageType == WebSocketMessageType.Text)
            {
                Close(RoomCloseCodes.ProtocolError, "text messages are not the y-websocket protocol");
            }
            else
            {
                handle(this, buffer.AsMemory(0, length));
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _outgoing.Reader.ReadAllAsync(cancellationToken))
            {
                await _socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
            }

            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(s_closeTimeout);
                await _socket.CloseOutputAsync((WebSocketCloseStatus)CloseCode, _closeReason, timeout.Token);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            _socket.Abort();
        }
    }
}
