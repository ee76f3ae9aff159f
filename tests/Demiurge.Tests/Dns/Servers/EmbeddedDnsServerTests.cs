using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Demiurge.Dns;
using Demiurge.Gateways;
using Demiurge.Dns.Server;

namespace Demiurge.Tests.Dns.Servers;

/// <summary>The embedded server as real clients see it: <c>dig</c> over UDP and TCP, and raw packets.</summary>
public sealed class EmbeddedDnsServerTests(EmbeddedDnsServerFixture server) : IClassFixture<EmbeddedDnsServerFixture>, IAsyncLifetime
{
    private const string Zone = EmbeddedDnsServerFixture.Zone;

    // Enough values that the reply exceeds 1232 bytes (dig's default EDNS size) but fits 4096.
    private static readonly string[] s_manyTexts = [.. Enumerable.Range(0, 40).Select(i => $"text {i:D2} " + new string('x', 40))];
    private static readonly string[] s_manyAddresses = [.. Enumerable.Range(1, 100).Select(i => $"10.0.{i / 256}.{i % 256}")];

    public async ValueTask InitializeAsync() => await server.ApplyAsync(
        new DnsRecordSet($"mail.{Zone}", "A", 300, ["10.0.0.25"]),
        new DnsRecordSet($"mail.{Zone}", "AAAA", 300, ["fd00::25"]),
        new DnsRecordSet($"mail.{Zone}", "TXT", 300, ["v=spf1 -all", "second \"quoted\" text"]),
        new DnsRecordSet($"www.{Zone}", "CNAME", 300, [$"mail.{Zone}"]),
        new DnsRecordSet($"chain.{Zone}", "CNAME", 300, [$"www.{Zone}"]),
        new DnsRecordSet($"away.{Zone}", "CNAME", 300, ["example.com"]),
        new DnsRecordSet($"dangling.{Zone}", "CNAME", 300, [$"missing.{Zone}"]),
        new DnsRecordSet($"loop1.{Zone}", "CNAME", 300, [$"loop2.{Zone}"]),
        new DnsRecordSet($"loop2.{Zone}", "CNAME", 300, [$"loop1.{Zone}"]),
        new DnsRecordSet($"*.wild.{Zone}", "A", 300, ["10.0.0.42"]),
        new DnsRecordSet($"*.wild.{Zone}", "TXT", 300, ["from the wildcard"]),
        new DnsRecordSet($"sub.wild.{Zone}", "A", 300, ["10.0.0.43"]),
        new DnsRecordSet($"a.b.deep.{Zone}", "A", 300, ["10.0.0.44"]),
        new DnsRecordSet($"big.{Zone}", "TXT", 300, s_manyTexts),
        new DnsRecordSet($"many.{Zone}", "A", 300, s_manyAddresses));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Soa_AtApex_AuthoritativeWithStoreVersionAsSerial()
    {
        var result = await Dig.QueryAsync(server.EndPoint, Zone, "SOA");

        Assert.Equal("NOERROR", result.Status);
        Assert.Contains("aa", result.Flags);
        var soa = Assert.Single(result.Answer);
        Assert.Equal($"ns.{Zone}. hostmaster.{Zone}. {server.Served.Current.Serial} 3600 600 86400 10", soa.Data);
        Assert.True(server.Served.Current.Serial > 1);
    }

    [Theory]
    [InlineData("NS", Zone, "ns.zone.test.")]
    [InlineData("A", Zone, "127.0.0.1")]
    [InlineData("AAAA", Zone, "::1")]
    [InlineData("A", "ganymede." + Zone, "127.0.0.1")]
    [InlineData("A", "ns." + Zone, "127.0.0.1")]
    [InlineData("A", "mail." + Zone, "10.0.0.25")]
    [InlineData("AAAA", "mail." + Zone, "fd00::25")]
    [InlineData("CNAME", "www." + Zone, "mail.zone.test.")]
    public async Task Query_EveryRecordType_Answers(string type, string name, string expected)
    {
        var result = await Dig.QueryAsync(server.EndPoint, name, type);

        Assert.Equal("NOERROR", result.Status);
        Assert.Contains("aa", result.Flags);
        Assert.Equal([expected], result.Values(type));
    }

    [Fact]
    public async Task Txt_TwoValues_BothWithQuotesEscaped()
    {
        var result = await Dig.QueryAsync(server.EndPoint, $"mail.{Zone}", "TXT");

        Assert.Equal(["\"second \\\"quoted\\\" text\"", "\"v=spf1 -all\""], result.Values("TXT").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Organization_SetThenRemove_AnswersThenNxDomain()
    {
        await server.Provider.SetOrganizationAsync("acme", EmbeddedDnsServerFixture.ZoneOptions(), EmbeddedDnsServerFixture.ZoneOptions().Dns, CancellationToken.None);
        var apex = await Dig.QueryAsync(server.EndPoint, $"org-acme.{Zone}", "A");
        var below = await Dig.QueryAsync(server.EndPoint, $"uc-1.org-acme.{Zone}", "AAAA");
        await server.Provider.RemoveOrganizationAsync("acme", EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None);
        var gone = await Dig.QueryAsync(server.EndPoint, $"uc-1.org-acme.{Zone}", "A");

        Assert.Equal(["127.0.0.1"], apex.Values("A"));
        Assert.Equal(["::1"], below.Values("AAAA"));
        Assert.Equal($"uc-1.org-acme.{Zone}.", Assert.Single(below.Answer).Name);
        Assert.Equal("NXDOMAIN", gone.Status);
    }

    [Fact]
    public async Task UnknownName_NxDomainWithSoaInAuthority()
    {
        var result = await Dig.QueryAsync(server.EndPoint, $"nobody.{Zone}", "A");

        Assert.Equal("NXDOMAIN", result.Status);
        Assert.Contains("aa", result.Flags);
        Assert.Empty(result.Answer);
        Assert.Equal("SOA", Assert.Single(result.Authority).Type);
        Assert.Equal($"{Zone}.", result.Authority[0].Name);
    }

    [Theory]
    [InlineData("mail." + Zone, "NS")]
    [InlineData("deep." + Zone, "A")]
    [InlineData("b.deep." + Zone, "A")]
    [InlineData("wild." + Zone, "A")]
    public async Task ExistingNameWithoutType_NoDataWithSoa(string name, string type)
    {
        var result = await Dig.QueryAsync(server.EndPoint, name, type);

        Assert.Equal("NOERROR", result.Status);
        Assert.Empty(result.Answer);
        Assert.Equal("SOA", Assert.Single(result.Authority).Type);
    }

    [Fact]
    public async Task Cname_InZone_ChasedToTheAddress()
    {
        var result = await Dig.QueryAsync(server.EndPoint, $"chain.{Zone}", "A");

        Assert.Equal("NOERROR", result.Status);
        Assert.Equal(
            [($"chain.{Zone}.", "CNAME", $"www.{Zone}."), ($"www.{Zone}.", "CNAME", $"mail.{Zone}."), ($"mail.{Zone}.", "A", "10.0.0.25")],
            result.Answer.Select(r => (r.Name, r.Type, r.Data)));
    }

    [Fact]
    public async Task Cname_OutOfZoneOrDanglingOrLooping_AnswersWhatTheZoneKnows()
    {
        var away = await Dig.QueryAsync(server.EndPoint, $"away.{Zone}", "A");
        var dangling = await Dig.QueryAsync(server.EndPoint, $"dangling.{Zone}", "A");
        var loop = await Dig.QueryAsync(server.EndPoint, $"loop1.{Zone}", "A");

        Assert.Equal(("NOERROR", "example.com."), (away.Status, Assert.Single(away.Answer).Data));
        // RFC 6604: the rcode is the one of the last name in the chain.
        Assert.Equal(("NXDOMAIN", "CNAME"), (dangling.Status, Assert.Single(dangling.Answer).Type));
        Assert.Equal("NOERROR", loop.Status);
        Assert.All(loop.Answer, r => Assert.Equal("CNAME", r.Type));
    }

    [Theory]
    [InlineData("x.wild." + Zone)]
    [InlineData("deeper.x.wild." + Zone)]
    public async Task Wildcard_NameBelowIt_SynthesizedUnderTheQueryName(string name)
    {
        var a = await Dig.QueryAsync(server.EndPoint, name, "A");
        var txt = await Dig.QueryAsync(server.EndPoint, name, "TXT");
        var missingType = await Dig.QueryAsync(server.EndPoint, name, "AAAA");

        Assert.Equal((name + ".", "10.0.0.42"), (Assert.Single(a.Answer).Name, a.Answer[0].Data));
        Assert.Equal(["\"from the wildcard\""], txt.Values("TXT"));
        Assert.Equal(("NOERROR", 0), (missingType.Status, missingType.Answer.Count));
    }

    [Fact]
    public async Task Wildcard_BelowAnExistingName_DoesNotApply()
    {
        // RFC 4592 2.2.1: sub.wild exists, so it is the closest encloser and has no wildcard.
        var exact = await Dig.QueryAsync(server.EndPoint, $"sub.wild.{Zone}", "A");
        var below = await Dig.QueryAsync(server.EndPoint, $"x.sub.wild.{Zone}", "A");

        Assert.Equal(["10.0.0.43"], exact.Values("A"));
        Assert.Equal("NXDOMAIN", below.Status);
    }

    [Fact]
    public async Task Names_AnyCase_AnsweredAndQuestionEchoedAsSent()
    {
        var result = await Dig.QueryAsync(server.EndPoint, "MaIl.ZoNe.TeSt", "A");

        Assert.Equal(["10.0.0.25"], result.Values("A"));
        Assert.Contains(";MaIl.ZoNe.TeSt.", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("example.com", "A")]
    [InlineData("test", "SOA")]
    [InlineData("notzone.test", "A")]
    public async Task OutsideTheZone_Refused(string name, string type)
    {
        var result = await Dig.QueryAsync(server.EndPoint, name, type);

        Assert.Equal("REFUSED", result.Status);
        Assert.DoesNotContain("aa", result.Flags);
        Assert.Empty(result.Answer);
    }

    [Fact]
    public async Task OpcodeOtherThanQuery_NotImp()
    {
        var result = await Dig.QueryAsync(server.EndPoint, $"mail.{Zone}", "A", "+opcode=status");

        Assert.Equal("NOTIMP", result.Status);
    }

    [Fact]
    public async Task ZoneTransfer_Refused()
    {
        var result = await Dig.QueryAsync(server.EndPoint, Zone, "AXFR");
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await udp.SendAsync(Packets.Query(0x4444, Zone, DnsType.AXFR), server.EndPoint);
        var reply = await ReceiveAsync(udp);

        Assert.Contains("Transfer failed.", result.Output, StringComparison.Ordinal);
        Assert.Equal(DnsResponseCode.Refused, (DnsResponseCode)(reply[3] & 0x0F));
    }

    [Fact]
    public async Task Tcp_SameAnswersAsUdp()
    {
        var udp = await Dig.QueryAsync(server.EndPoint, $"chain.{Zone}", "A");
        var tcp = await Dig.QueryAsync(server.EndPoint, $"chain.{Zone}", "A", "+tcp");
        var nx = await Dig.QueryAsync(server.EndPoint, $"nobody.{Zone}", "A", "+tcp");

        Assert.Equal(("UDP", "TCP"), (udp.Transport, tcp.Transport));
        Assert.Equal(udp.Answer, tcp.Answer);
        Assert.Equal("NXDOMAIN", nx.Status);
    }

    [Fact]
    public async Task Edns_OptEchoedWithOurSize_AndAbsentWithoutEdns()
    {
        var edns = await Dig.QueryAsync(server.EndPoint, $"mail.{Zone}", "A");
        var plain = await Dig.QueryAsync(server.EndPoint, $"mail.{Zone}", "A", "+noedns");
        var version1 = await Dig.QueryAsync(server.EndPoint, $"mail.{Zone}", "A", "+edns=1", "+noednsnegotiation");

        Assert.Equal(1232, edns.EdnsUdpSize);
        Assert.Null(plain.EdnsUdpSize);
        Assert.Equal(["10.0.0.25"], plain.Values("A"));
        Assert.Equal("BADVERS", version1.Status);
    }

    [Fact]
    public async Task Compression_RepeatedNames_WrittenAsPointers()
    {
        var result = await Dig.QueryAsync(server.EndPoint, $"many.{Zone}", "A", "+bufsize=4096");

        // Header, question (many.zone.test: 16 bytes + type and class), then per A record a
        // 2-byte pointer for the owner, type, class, TTL, length and 4 bytes; then the 11-byte OPT.
        Assert.Equal(100, result.Values("A").Count());
        Assert.Equal(12 + 16 + 4 + (100 * (2 + 10 + 4)) + 11, result.MessageSize);
    }

    [Fact]
    public async Task Truncation_TooBigForUdp_TcSetThenTcpReturnsEverything()
    {
        var small = await Dig.QueryAsync(server.EndPoint, $"big.{Zone}", "TXT", "+ignore");
        var noEdns = await Dig.QueryAsync(server.EndPoint, $"many.{Zone}", "A", "+ignore", "+noedns");
        var fallback = await Dig.QueryAsync(server.EndPoint, $"big.{Zone}", "TXT");
        var tcp = await Dig.QueryAsync(server.EndPoint, $"many.{Zone}", "A", "+tcp", "+noedns");
        var large = await Dig.QueryAsync(server.EndPoint, $"big.{Zone}", "TXT", "+bufsize=4096");

        Assert.Contains("tc", small.Flags);
        Assert.Empty(small.Answer);
        Assert.True(small.MessageSize <= 1232);
        Assert.Contains("tc", noEdns.Flags);
        Assert.True(noEdns.MessageSize <= 512);
        Assert.Contains("Truncated, retrying in TCP mode", fallback.Output, StringComparison.Ordinal);
        Assert.Equal(("TCP", s_manyTexts.Length), (fallback.Transport, fallback.Values("TXT").Count()));
        Assert.Equal(s_manyAddresses.Length, tcp.Values("A").Count());
        Assert.Equal(("UDP", s_manyTexts.Length), (large.Transport, large.Values("TXT").Count()));
        Assert.DoesNotContain("tc", large.Flags);
    }

    [Fact]
    public async Task ChangeInStore_VisibleInTheNextAnswer()
    {
        await server.ApplyAsync(new DnsRecordSet($"moving.{Zone}", "A", 60, ["10.1.0.1"]));
        var before = await Dig.QueryAsync(server.EndPoint, $"moving.{Zone}", "A");
        await server.ApplyAsync(new DnsRecordSet($"moving.{Zone}", "A", 60, ["10.1.0.2"]));
        var after = await Dig.QueryAsync(server.EndPoint, $"moving.{Zone}", "A");
        await server.ApplyAsync(new DnsRecordSet($"moving.{Zone}", "A", 60, []));
        var deleted = await Dig.QueryAsync(server.EndPoint, $"moving.{Zone}", "A");

        Assert.Equal(["10.1.0.1"], before.Values("A"));
        Assert.Equal(["10.1.0.2"], after.Values("A"));
        Assert.Equal("NXDOMAIN", deleted.Status);
    }

    [Fact]
    public async Task ShortPacketOrResponse_Dropped_NextQueryAnswered()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var response = Packets.Query(0x1111, $"mail.{Zone}");
        response[2] |= 0x80;

        await udp.SendAsync(new byte[] { 1, 2, 3, 4, 5 }, server.EndPoint);
        await udp.SendAsync(response, server.EndPoint);
        await udp.SendAsync(Packets.Query(0x2222, $"mail.{Zone}"), server.EndPoint);
        var reply = await ReceiveAsync(udp);

        // Replies come in order from one loop or out of order from several; either way the first
        // reply to arrive must be the valid query's, as the other two got none.
        Assert.Equal(0x2222, BinaryPrimitives.ReadUInt16BigEndian(reply));
    }

    [Theory]
    [InlineData("two questions")]
    [InlineData("name past the end")]
    [InlineData("pointer loop")]
    [InlineData("pointer forward")]
    [InlineData("label too long")]
    [InlineData("missing type")]
    [InlineData("record past the end")]
    [InlineData("two OPT records")]
    public async Task MalformedBody_FormErrWithTheQueryId(string defect)
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        await udp.SendAsync(Packets.Malformed(0x3333, defect), server.EndPoint);
        var reply = await ReceiveAsync(udp);

        Assert.Equal(0x3333, BinaryPrimitives.ReadUInt16BigEndian(reply));
        Assert.Equal(0x80, reply[2] & 0x80);
        Assert.Equal(1, reply[3] & 0x0F);
    }

    [Fact]
    public async Task Fuzz_ThousandsOfRandomAndMutatedPackets_ServerStillAnswers()
    {
        var random = new Random(5);
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        foreach (var packet in Packets.Fuzz(random, 5_000, $"mail.{Zone}"))
        {
            await udp.SendAsync(packet, server.EndPoint);
        }

        foreach (var packet in Packets.Fuzz(random, 200, $"mail.{Zone}"))
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(server.EndPoint);
            var framed = new byte[2 + packet.Length];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)packet.Length);
            packet.CopyTo(framed, 2);
            await tcp.GetStream().WriteAsync(framed);
        }

        var udpAfter = await Dig.QueryAsync(server.EndPoint, $"mail.{Zone}", "A");
        var tcpAfter = await Dig.QueryAsync(server.EndPoint, $"mail.{Zone}", "A", "+tcp");
        Assert.Equal(["10.0.0.25"], udpAfter.Values("A"));
        Assert.Equal(["10.0.0.25"], tcpAfter.Values("A"));
    }

    private static async Task<byte[]> ReceiveAsync(UdpClient udp)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return (await udp.ReceiveAsync(timeout.Token)).Buffer;
    }
}
