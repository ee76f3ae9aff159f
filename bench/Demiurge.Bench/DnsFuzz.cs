using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Demiurge.Bench;

/// <summary>
/// DNS packet fuzzing against the real <c>demiurge dns</c> on loopback: mutated queries (bit
/// flips, truncation, trailing bytes, random bytes, compression-pointer loops, label lengths,
/// section counts, header flags, EDNS records) over UDP and TCP, reproducible from a seed. The
/// server drops only packets shorter than a header or that are responses (docs/dns.md), so every
/// other packet must get a reply: the fuzzer counts them, asks a valid question over UDP and TCP
/// after each batch, and at the end reads the server's log for errors and exceptions.
/// </summary>
internal static class DnsFuzz
{
    private const string Zone = "fuzz.test";
    private const string Probe = "ganymede." + Zone;
    private const int Batch = 1000;
    private const int UdpWindow = 50;

    private static readonly string[] s_names = [Probe, Zone, "ns." + Zone, "org-1.fuzz.test", "uc-2.org-1.fuzz.test", "nobody.fuzz.test", "example.org", ""];
    private static readonly ushort[] s_types = [1, 2, 5, 6, 16, 28, 41, 251, 252, 255, 0, 65535];

    public static async Task<int> RunAsync(string executable, int packets, int seed)
    {
        var dataDir = Directory.CreateTempSubdirectory("demiurge-fuzz-").FullName;
        var log = new ConcurrentQueue<string>();
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "dns", "--data-dir", dataDir, "--domain", Zone, "--dns-port", "0" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var server = Process.Start(start)!;
        server.ErrorDataReceived += (_, e) => { if (e.Data is not null) { log.Enqueue(e.Data); } };
        server.BeginErrorReadLine();
        IPEndPoint? endPoint = null;
        while (endPoint is null && await server.StandardOutput.ReadLineAsync() is { } line)
        {
            log.Enqueue(line);
            if (line.TrimStart().StartsWith("DNS:", StringComparison.Ordinal))
            {
                endPoint = IPEndPoint.Parse(line.Trim()[4..].Trim().Split(' ')[0]);
            }
        }

        var draining = Task.Run(async () =>
        {
            while (await server.StandardOutput.ReadLineAsync() is { } rest)
            {
                log.Enqueue(rest);
            }
        });
        if (endPoint is null)
        {
            Console.Error.WriteLine(string.Join('\n', log));
            return 1;
        }

        var random = new Random(seed);
        var counts = new Counts();
        var clock = Stopwatch.StartNew();
        try
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            while (counts.Sent < packets)
            {
                // Four in five packets over UDP, in windows whose replies are awaited before the next.
                var window = new List<byte[]>();
                for (var i = 0; i < Batch * 4 / 5; i++)
                {
                    window.Add(Mutate(random, udp: true));
                    if (window.Count == UdpWindow)
                    {
                        await UdpWindowAsync(udp, endPoint, window, counts);
                        window.Clear();
                    }
                }

                // The rest over TCP, 1 to 20 per connection, some ending in a broken frame.
                for (var left = Batch / 5; left > 0;)
                {
                    var connection = Enumerable.Range(0, Math.Min(left, random.Next(1, 21))).Select(_ => Mutate(random, udp: false)).ToList();
                    left -= connection.Count;
                    await TcpConnectionAsync(endPoint, connection, random, counts);
                }

                if (!await ProbeAsync(udp, endPoint, tcp: false) | !await ProbeAsync(udp, endPoint, tcp: true))
                {
                    counts.ProbesFailed++;
                }

                counts.Probes += 2;
                if (counts.Sent % 20_000 < Batch)
                {
                    Console.WriteLine($"{counts.Sent,8} packets, {counts.Sent / clock.Elapsed.TotalSeconds,7:F0}/s, replies {counts.Replies}/{counts.Expected}, probes failed {counts.ProbesFailed}");
                }
            }
        }
        finally
        {
            clock.Stop();
            Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            if (!server.WaitForExit(10_000))
            {
                server.Kill();
            }

            await draining;
            Directory.Delete(dataDir, recursive: true);
        }

        var errors = log.Where(l => l.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal) || l.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal)
            || l.Contains("Exception", StringComparison.Ordinal) || l.StartsWith("warn:", StringComparison.Ordinal) || l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal)).ToList();
        Console.WriteLine();
        Console.WriteLine($"DNS fuzzing (seed {seed}): {counts.Sent} mutated packets ({counts.SentUdp} UDP, {counts.SentTcp} TCP on {counts.Connections} connections) in {clock.Elapsed.TotalSeconds:F1} s, {counts.Sent / clock.Elapsed.TotalSeconds:F0} packets/s");
        Console.WriteLine($"  replies: {counts.Replies} of {counts.Expected} expected (the rest are shorter than a header or responses, dropped by design): UDP {counts.RepliesUdp} of {counts.ExpectedUdp}, TCP {counts.Replies - counts.RepliesUdp} of {counts.Expected - counts.ExpectedUdp}; malformed replies {counts.BadReplies}");
        Console.WriteLine($"  valid queries between batches: {counts.Probes - counts.ProbesFailed} of {counts.Probes} answered");
        Console.WriteLine($"  server exit code {server.ExitCode}, {log.Count} log lines, {errors.Count} with a warning, an error or an exception");
        foreach (var line in Environment.GetEnvironmentVariable("DEMIURGE_FUZZ_LOG") is null ? [] : log)
        {
            Console.WriteLine("    log: " + line);
        }

        foreach (var error in errors.Take(20))
        {
            Console.WriteLine("    " + error);
        }

        return counts.Replies == counts.Expected && counts.BadReplies == 0 && counts.ProbesFailed == 0 && errors.Count == 0 && server.ExitCode == 0 ? 0 : 1;
    }

    private static async Task UdpWindowAsync(Socket udp, IPEndPoint server, List<byte[]> window, Counts counts)
    {
        var expected = 0;
        foreach (var packet in window)
        {
            await udp.SendToAsync(packet, server);
            expected += Answered(packet) ? 1 : 0;
        }

        counts.Sent += window.Count;
        counts.SentUdp += window.Count;
        counts.Expected += expected;
        counts.ExpectedUdp += expected;
        var reply = new byte[65535];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        for (var received = 0; received < expected; received++)
        {
            try
            {
                var length = (await udp.ReceiveFromAsync(reply, new IPEndPoint(IPAddress.Any, 0), timeout.Token)).ReceivedBytes;
                counts.Replies++;
                counts.RepliesUdp++;
                counts.BadReplies += length >= 12 && (reply[2] & 0x80) != 0 ? 0 : 1;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task TcpConnectionAsync(IPEndPoint server, List<byte[]> packets, Random random, Counts counts)
    {
        counts.Connections++;
        counts.Sent += packets.Count;
        counts.SentTcp += packets.Count;
        // The server answers in order and closes the connection at the first packet it drops.
        var expectedIds = new List<ushort>();
        foreach (var packet in packets)
        {
            if (!Answered(packet))
            {
                break;
            }

            expectedIds.Add(BinaryPrimitives.ReadUInt16BigEndian(packet));
        }

        // One connection in ten ends with a frame whose length promises more than is sent.
        var brokenFrame = random.Next(10) == 0;
        counts.Expected += expectedIds.Count;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await socket.ConnectAsync(server, timeout.Token);
            var stream = new MemoryStream();
            foreach (var packet in packets)
            {
                stream.Write([(byte)(packet.Length >> 8), (byte)packet.Length]);
                stream.Write(packet);
            }

            if (brokenFrame)
            {
                stream.Write([(byte)random.Next(256), (byte)random.Next(256), .. Enumerable.Range(0, random.Next(8)).Select(_ => (byte)random.Next(256))]);
            }

            using var reader = new NetworkStream(socket);
            await socket.SendAsync(stream.ToArray(), timeout.Token);
            socket.Shutdown(SocketShutdown.Send);
            var header = new byte[2];
            var reply = new byte[65535];
            foreach (var id in expectedIds)
            {
                await reader.ReadExactlyAsync(header, timeout.Token);
                var length = BinaryPrimitives.ReadUInt16BigEndian(header);
                await reader.ReadExactlyAsync(reply.AsMemory(0, length), timeout.Token);
                counts.Replies++;
                counts.BadReplies += length >= 12 && (reply[2] & 0x80) != 0 && BinaryPrimitives.ReadUInt16BigEndian(reply) == id ? 0 : 1;
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or EndOfStreamException)
        {
            // Fewer replies than expected: counted as missing.
        }
    }

    /// <summary>A valid question whose answer is known: ganymede.fuzz.test A 127.0.0.1.</summary>
    private static async Task<bool> ProbeAsync(Socket udp, IPEndPoint server, bool tcp)
    {
        var id = (ushort)Random.Shared.Next(65536);
        var query = Query(id, Probe, 1, edns: null);
        var reply = new byte[65535];
        int length;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            if (tcp)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(server, timeout.Token);
                await socket.SendAsync((byte[])[(byte)(query.Length >> 8), (byte)query.Length, .. query], timeout.Token);
                using var stream = new NetworkStream(socket);
                await stream.ReadExactlyAsync(reply.AsMemory(0, 2), timeout.Token);
                length = BinaryPrimitives.ReadUInt16BigEndian(reply);
                await stream.ReadExactlyAsync(reply.AsMemory(0, length), timeout.Token);
            }
            else
            {
                await udp.SendToAsync(query, server);
                do
                {
                    // Late replies to the fuzz window may still be queued: skip to the probe's.
                    length = (await udp.ReceiveFromAsync(reply, new IPEndPoint(IPAddress.Any, 0), timeout.Token)).ReceivedBytes;
                }
                while (length < 2 || BinaryPrimitives.ReadUInt16BigEndian(reply) != id);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or EndOfStreamException)
        {
            return false;
        }

        return length >= 16 && BinaryPrimitives.ReadUInt16BigEndian(reply) == id && (reply[3] & 0x0F) == 0
            && BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6)) >= 1 && reply.AsSpan(length - 4, 4).SequenceEqual((byte[])[127, 0, 0, 1]);
    }

    /// <summary>Whether the server must answer this packet: it drops only those shorter than a header and responses.</summary>
    private static bool Answered(byte[] packet) => packet.Length >= 12 && (packet[2] & 0x80) == 0;

    private static byte[] Mutate(Random random, bool udp)
    {
        if (random.Next(20) == 0)
        {
            var noise = new byte[random.Next(0, udp ? 700 : 3000)];
            random.NextBytes(noise);
            return noise;
        }

        var packet = Template(random);
        for (var mutations = random.Next(1, 4); mutations > 0; mutations--)
        {
            packet = random.Next(10) switch
            {
                0 => FlipBits(random, packet),
                1 => packet[..random.Next(0, packet.Length + 1)],
                2 => [.. packet, .. RandomBytes(random, random.Next(1, 600))],
                3 => PointerLoop(random, packet),
                4 => Labels(random, packet),
                5 => SectionCounts(random, packet),
                6 => Flags(random, packet),
                7 => [.. packet, .. Opt(random, mangled: true)],
                8 => [.. packet, .. Record(random)],
                _ => SetByte(random, packet),
            };
        }

        // Most mutants are kept queries (QR clear), so that most reach the parser rather than the first check.
        if (packet.Length > 2 && random.Next(4) != 0)
        {
            packet[2] &= 0x7F;
        }

        return packet;
    }

    private static byte[] Template(Random random)
    {
        var type = s_types[random.Next(s_types.Length)];
        var edns = random.Next(3) switch { 0 => null, 1 => Opt(random, mangled: false), _ => Opt(random, mangled: random.Next(2) == 0) };
        return Query((ushort)random.Next(65536), s_names[random.Next(s_names.Length)], type, edns);
    }

    private static byte[] Query(ushort id, string name, ushort type, byte[]? edns)
    {
        var packet = new List<byte>();
        packet.AddRange(UInt16(id));
        packet.AddRange([0x00, 0x00, 0, 1, 0, 0, 0, 0]);
        packet.AddRange(UInt16((ushort)(edns is null ? 0 : 1)));
        packet.AddRange(Name(name));
        packet.AddRange(UInt16(type));
        packet.AddRange(UInt16(1));
        packet.AddRange(edns ?? []);
        return [.. packet];
    }

    private static byte[] Name(string name)
    {
        var wire = new List<byte>();
        foreach (var label in name.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            wire.Add((byte)label.Length);
            wire.AddRange(Encoding.ASCII.GetBytes(label));
        }

        wire.Add(0);
        return [.. wire];
    }

    /// <summary>An OPT record (RFC 6891): random size, version and flags, options with right or wrong lengths, sometimes not owned by the root.</summary>
    private static byte[] Opt(Random random, bool mangled)
    {
        var options = new List<byte>();
        for (var i = random.Next(0, 4); i > 0; i--)
        {
            // 8 client subnet, 10 cookie, 12 padding, or anything.
            var code = (ushort)(random.Next(4) switch { 0 => 8, 1 => 10, 2 => 12, _ => random.Next(65536) });
            var data = RandomBytes(random, random.Next(0, 40));
            options.AddRange(UInt16(code));
            options.AddRange(UInt16((ushort)(mangled && random.Next(2) == 0 ? random.Next(65536) : data.Length)));
            options.AddRange(data);
        }

        byte[] owner = mangled && random.Next(4) == 0 ? Name("x") : [0];
        var size = (ushort)(random.Next(3) switch { 0 => random.Next(0, 512), 1 => 1232, _ => random.Next(65536) });
        var version = (byte)(mangled && random.Next(3) == 0 ? random.Next(256) : 0);
        var length = (ushort)(mangled && random.Next(3) == 0 ? random.Next(65536) : options.Count);
        return [.. owner, 0, 41, .. UInt16(size), 0, version, (byte)(random.Next(2) << 7), 0, .. UInt16(length), .. options];
    }

    /// <summary>A resource record with a random owner, type and data, sometimes with a data length that lies.</summary>
    private static byte[] Record(Random random)
    {
        var data = RandomBytes(random, random.Next(0, 64));
        var length = (ushort)(random.Next(4) == 0 ? random.Next(65536) : data.Length);
        return [.. random.Next(2) == 0 ? [0xC0, 12] : Name(s_names[random.Next(s_names.Length)]), .. UInt16(s_types[random.Next(s_types.Length)]), 0, 1, 0, 0, 0, 60, .. UInt16(length), .. data];
    }

    private static byte[] FlipBits(Random random, byte[] packet)
    {
        var flipped = (byte[])packet.Clone();
        for (var flips = random.Next(1, 9); flips > 0 && flipped.Length > 0; flips--)
        {
            flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
        }

        return flipped;
    }

    private static byte[] SetByte(Random random, byte[] packet)
    {
        var changed = (byte[])packet.Clone();
        if (changed.Length > 0)
        {
            changed[random.Next(changed.Length)] = (byte)random.Next(256);
        }

        return changed;
    }

    /// <summary>Compression pointers that loop (to themselves, to each other, to an earlier pointer), point forward, into the header, or past the end.</summary>
    private static byte[] PointerLoop(Random random, byte[] packet)
    {
        if (packet.Length < 14)
        {
            return packet;
        }

        var header = packet[..12];
        var rest = packet[12..];
        byte[] name = random.Next(6) switch
        {
            0 => [0xC0, 12], // itself
            1 => [1, (byte)'a', 0xC0, 12], // a label, then back to the start
            2 => [1, (byte)'a', 0xC0, 16, 1, (byte)'b', 0xC0, 12], // two pointers to each other
            3 => [0xC0, (byte)random.Next(0, 12)], // into the header
            4 => [(byte)(0xC0 | random.Next(0x40)), (byte)random.Next(256)], // anywhere, usually past the end
            _ => [.. Enumerable.Range(0, random.Next(1, 60)).SelectMany(i => (byte[])[1, (byte)'a']), 0xC0, 12], // a long loop
        };
        return [.. header, .. name, .. rest.Length > 4 ? rest[^4..] : rest];
    }

    /// <summary>Names with labels of 63 and 64 bytes, the reserved label types 0x40 and 0x80, over 255 bytes in all, or a length past the end.</summary>
    private static byte[] Labels(Random random, byte[] packet)
    {
        if (packet.Length < 12)
        {
            return packet;
        }

        byte[] name = random.Next(5) switch
        {
            0 => [63, .. Enumerable.Repeat((byte)'a', 63), 0],
            1 => [64, .. Enumerable.Repeat((byte)'a', 64), 0],
            2 => [(byte)(0x40 | random.Next(0x40)), .. RandomBytes(random, random.Next(0, 10)), 0],
            3 => [.. Enumerable.Range(0, random.Next(4, 9)).SelectMany(_ => (byte[])[63, .. Enumerable.Repeat((byte)'b', 63)]), 0],
            _ => [(byte)random.Next(1, 64), .. RandomBytes(random, random.Next(0, 5))],
        };
        return [.. packet[..12], .. name, 0, 1, 0, 1];
    }

    private static byte[] SectionCounts(Random random, byte[] packet)
    {
        var changed = (byte[])packet.Clone();
        if (changed.Length >= 12)
        {
            var at = 4 + (2 * random.Next(4));
            BinaryPrimitives.WriteUInt16BigEndian(changed.AsSpan(at), (ushort)(random.Next(3) switch { 0 => random.Next(0, 3), 1 => 65535, _ => random.Next(65536) }));
        }

        return changed;
    }

    /// <summary>Random opcode, flags and response code in the header.</summary>
    private static byte[] Flags(Random random, byte[] packet)
    {
        var changed = (byte[])packet.Clone();
        if (changed.Length >= 4)
        {
            changed[2] = (byte)random.Next(256);
            changed[3] = (byte)random.Next(256);
        }

        return changed;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] UInt16(ushort value) => [(byte)(value >> 8), (byte)value];

    private sealed class Counts
    {
        public long Sent { get; set; }

        public long SentUdp { get; set; }

        public long SentTcp { get; set; }

        public long Connections { get; set; }

        public long Expected { get; set; }

        public long Replies { get; set; }

        public long ExpectedUdp { get; set; }

        public long RepliesUdp { get; set; }

        public long BadReplies { get; set; }

        public long Probes { get; set; }

        public long ProbesFailed { get; set; }
    }
}
