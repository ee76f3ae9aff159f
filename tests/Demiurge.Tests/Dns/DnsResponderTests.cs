using System.Buffers.Binary;
using Demiurge.Dns;
using Demiurge.Dns.Server;

namespace Demiurge.Tests.Dns;

/// <summary>The server's logic without sockets: every packet gets a well-formed reply or none, and never an exception.</summary>
public sealed class DnsResponderTests
{
    private static readonly DnsZone s_zone = DnsZone.Create("zone.test", [
        new DnsRecordSet("zone.test", "NS", 60, ["ns.zone.test"]),
        new DnsRecordSet("mail.zone.test", "A", 60, ["10.0.0.25"]),
        new DnsRecordSet("*.wild.zone.test", "A", 60, ["10.0.0.42"]),
    ]);

    [Fact]
    public void Respond_ValidQuery_AnswersWithTheIdAndOneRecord()
    {
        var reply = new byte[DnsResponder.MaxMessageSize];

        var length = DnsResponder.Respond(s_zone, Packets.Query(0xBEEF, "mail.zone.test"), reply, overTcp: false);

        Assert.InRange(length, DnsQueryReader.HeaderLength + 1, 512);
        Assert.Equal(0xBEEF, BinaryPrimitives.ReadUInt16BigEndian(reply));
        Assert.Equal(0x84, reply[2] & 0x84); // QR and AA
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6)));
    }

    [Fact]
    public void Respond_HundredThousandFuzzedPackets_NeverThrowsAndEveryReplyIsAResponseToItsQuery()
    {
        var random = new Random(1035);
        var reply = new byte[DnsResponder.MaxMessageSize];
        var answered = 0;
        foreach (var packet in Packets.Fuzz(random, 100_000, "x.wild.zone.test"))
        {
            var overTcp = random.Next(2) == 0;
            var length = DnsResponder.Respond(s_zone, packet, reply, overTcp);
            if (length == 0)
            {
                continue;
            }

            answered++;
            Assert.InRange(length, DnsQueryReader.HeaderLength, overTcp ? DnsResponder.MaxMessageSize : 4096);
            Assert.Equal(packet.AsSpan(0, 2).ToArray(), reply.AsSpan(0, 2).ToArray());
            Assert.Equal(0x80, reply[2] & 0x80);
        }

        // Most mutations keep a parseable header, so most packets get some reply.
        Assert.InRange(answered, 50_000, 100_000);
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
    public void Read_MalformedBody_FormErr(string defect)
    {
        var query = DnsQueryReader.Read(Packets.Malformed(7, defect));

        Assert.Equal(DnsResponseCode.FormErr, query!.Error);
        Assert.Equal(7, query.Id);
    }

    [Fact]
    public void Read_EdnsQuery_AdvertisedSizeAtLeast512()
    {
        Assert.Equal(4096, DnsQueryReader.Read(Packets.Query(1, "zone.test", ednsSize: 4096))!.EdnsSize);
        Assert.Equal(512, DnsQueryReader.Read(Packets.Query(1, "zone.test", ednsSize: 100))!.EdnsSize);
        Assert.Null(DnsQueryReader.Read(Packets.Query(1, "zone.test"))!.EdnsSize);
    }

    [Fact]
    public void Read_LabelWithADot_NeverMatchesAZoneName()
    {
        // One label "mail.zone" then "test": in presentation form the dot is escaped.
        byte[] packet = [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9, .. "mail.zone"u8, 4, .. "test"u8, 0, 0, 1, 0, 1];

        var query = DnsQueryReader.Read(packet)!;

        Assert.Equal("mail\\046zone.test", query.Name);
        Assert.Equal(DnsResponseCode.Refused, s_zone.Lookup(query.Name, query.Type).Code);
    }
}
