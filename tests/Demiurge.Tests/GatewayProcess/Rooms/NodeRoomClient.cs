using System.Diagnostics;
using System.Text.Json;

namespace Demiurge.Tests.GatewayProcess.Rooms;

/// <summary>
/// One unmodified y-websocket client (the npm packages yjs, y-websocket and ws under node, from
/// tests/node), driven through tests/node/room-client.mjs: commands go in as JSON lines, and every
/// event it reports (status, synced, close, warn, text, awareness, ...) is kept in order.
/// </summary>
internal sealed class NodeRoomClient : IAsyncDisposable
{
    private static readonly TimeSpan s_waitTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly List<JsonElement> _events = [];
    private readonly List<string> _errors = [];
    private int _disposed;

    private NodeRoomClient(Process process) => _process = process;

    /// <summary>tests/node, with its node_modules (<c>npm ci --prefix tests/node</c>).</summary>
    public static string NodeDirectory { get; } = FindNodeDirectory();

    public long ClientId { get; private set; }

    /// <summary>
    /// Starts a client of the room <paramref name="projectId"/> under <paramref name="serverUrl"/>
    /// (<c>ws://host:port/collab</c>) with a token (as <c>?token=</c>, or the Authorization header
    /// when <paramref name="header"/>) or a ticket. <paramref name="loopback"/> resolves every name to 127.0.0.1.
    /// </summary>
    public static async Task<NodeRoomClient> StartAsync(string serverUrl, string projectId, string? token = null, string? ticket = null, bool header = false, bool loopback = false, string? ca = null)
    {
        var options = JsonSerializer.Serialize(new { url = serverUrl, room = projectId, token, ticket, header, loopback, ca });
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = NodeDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("room-client.mjs");
        start.ArgumentList.Add(options);
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var client = new NodeRoomClient(process);
        process.OutputDataReceived += (_, e) => client.Received(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (client._errors)
                {
                    client._errors.Add(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var ready = await client.WaitForAsync("ready", _ => true);
        client.ClientId = ready.GetProperty("clientId").GetInt64();
        return client;
    }

    /// <summary>Every event so far, in order.</summary>
    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public async Task SendAsync(object command)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command));
        await _process.StandardInput.FlushAsync();
    }

    public Task InsertAsync(string text) => SendAsync(new { op = "insert", text });

    public Task AwarenessAsync(object state) => SendAsync(new { op = "awareness", state });

    /// <summary>The first event named <paramref name="name"/>, from the <paramref name="after"/>-th on, that <paramref name="match"/> accepts.</summary>
    public async Task<JsonElement> WaitForAsync(string name, Func<JsonElement, bool> match, int after = 0)
    {
        using var timeout = new CancellationTokenSource(s_waitTimeout);
        while (true)
        {
            lock (_events)
            {
                for (var i = after; i < _events.Count; i++)
                {
                    if (_events[i].GetProperty("event").GetString() == name && match(_events[i]))
                    {
                        return _events[i];
                    }
                }
            }

            if (timeout.IsCancellationRequested || _process.HasExited)
            {
                string errors;
                lock (_errors)
                {
                    errors = string.Join('\n', _errors.TakeLast(20));
                }

                var seen = string.Join('\n', Events.TakeLast(30).Select(e => e.GetRawText()));
                throw new TimeoutException($"The y-websocket client gave no '{name}' event that matched{(_process.HasExited ? " (node exited)" : string.Empty)}. Events:\n{seen}\nstderr:\n{errors}");
            }

            await Task.Delay(10, CancellationToken.None);
        }
    }

    /// <summary>Waits until the client's shared text is <paramref name="text"/>.</summary>
    public Task WaitForTextAsync(string text) => WaitForAsync("text", e => e.GetProperty("text").GetString() == text);

    /// <summary>Waits until the client is synced with the room (after its <paramref name="after"/>-th event).</summary>
    public Task WaitForSyncedAsync(int after = 0) => WaitForAsync("synced", e => e.GetProperty("synced").GetBoolean(), after);

    /// <summary>Waits for the room to close the client's connection; its close code.</summary>
    public async Task<int> WaitForCloseAsync(int after = 0) =>
        (await WaitForAsync("close", e => e.GetProperty("code").ValueKind == JsonValueKind.Number, after)).GetProperty("code").GetInt32();

    /// <summary>The client's document and the awareness it sees of the others, now.</summary>
    public async Task<JsonElement> DumpAsync()
    {
        var after = Events.Count;
        await SendAsync(new { op = "dump" });
        return await WaitForAsync("dump", _ => true, after);
    }

    /// <summary>Kills the client, as a crashed browser tab: it says no goodbye.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            try
            {
                await SendAsync(new { op = "quit" });
            }
            catch (IOException)
            {
                // It exited meanwhile.
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private void Received(string? line)
    {
        if (string.IsNullOrEmpty(line) || line[0] != '{')
        {
            return;
        }

        using var document = JsonDocument.Parse(line);
        lock (_events)
        {
            _events.Add(document.RootElement.Clone());
        }
    }

    private static string FindNodeDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var node = Path.Combine(directory.FullName, "tests", "node");
            if (File.Exists(Path.Combine(node, "room-client.mjs")))
            {
                return Directory.Exists(Path.Combine(node, "node_modules"))
                    ? node
                    : throw new InvalidOperationException($"{node}/node_modules is missing: run 'npm ci --prefix tests/node' once.");
            }
        }

        throw new InvalidOperationException("tests/node/room-client.mjs was not found above " + AppContext.BaseDirectory);
    }
}
