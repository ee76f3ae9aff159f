using Demiurge.Dns;
using Demiurge.Dns.Server;

namespace Demiurge.Tests.Dns;

/// <summary>The zone model: versions, empty non-terminals and wildcards (RFC 4592), and what it refuses to load.</summary>
public sealed class DnsZoneTests
{
    private static readonly DnsZone s_empty = DnsZone.Create("zone.test", []);

    [Fact]
    public void Apply_NewVersion_OldVersionUnchanged()
    {
        var next = s_empty.Apply(7, [new DnsRecordSet("a.zone.test", "A", 60, ["10.0.0.1"])], (_, error) => Assert.Fail(error));

        Assert.Equal((0L, 7L), (s_empty.Serial, next.Serial));
        Assert.Equal(DnsResponseCode.NxDomain, s_empty.Lookup("a.zone.test", DnsType.A).Code);
        Assert.Single(next.Lookup("a.zone.test", DnsType.A).Answers);
    }

    [Fact]
    public void Apply_DeleteLastOwnerBelowAName_NameStopsExisting()
    {
        var zone = s_empty.Apply(1, [new DnsRecordSet("a.b.c.zone.test", "A", 60, ["10.0.0.1"])], (_, error) => Assert.Fail(error));
        var deleted = zone.Apply(2, [new DnsRecordSet("a.b.c.zone.test", "A", 60, [])], (_, error) => Assert.Fail(error));

        Assert.Equal(DnsResponseCode.NoError, zone.Lookup("b.c.zone.test", DnsType.A).Code);
        Assert.Equal(DnsResponseCode.NxDomain, deleted.Lookup("b.c.zone.test", DnsType.A).Code);
        Assert.Equal(DnsResponseCode.NxDomain, deleted.Lookup("c.zone.test", DnsType.A).Code);
    }

    [Fact]
    public void Lookup_EmptyNonTerminalAboveWildcardOwner_NoDataNotWildcard()
    {
        // RFC 4592 2.2.2: *.x exists, so x exists (empty) and does not match *.zone.test.
        var zone = s_empty.Apply(1, [
            new DnsRecordSet("*.zone.test", "A", 60, ["10.0.0.1"]),
            new DnsRecordSet("*.x.zone.test", "A", 60, ["10.0.0.2"]),
        ], (_, error) => Assert.Fail(error));

        var x = zone.Lookup("x.zone.test", DnsType.A);
        var y = zone.Lookup("y.zone.test", DnsType.A);
        var below = zone.Lookup("q.x.zone.test", DnsType.A);

        Assert.Equal((DnsResponseCode.NoError, 0), (x.Code, x.Answers.Count));
        Assert.NotNull(x.Authority);
        Assert.Equal("y.zone.test", Assert.Single(y.Answers).Owner);
        Assert.Equal([10, 0, 0, 2], Assert.Single(Assert.Single(below.Answers).Set.Records).Bytes);
    }

    [Theory]
    [InlineData("a.other.test", "A", "10.0.0.1")]
    [InlineData("a.zone.test", "A", "not an address")]
    [InlineData("a.zone.test", "A", "fd00::1")]
    [InlineData("a.zone.test", "AAAA", "10.0.0.1")]
    [InlineData("a.zone.test", "MX", "10 mail.zone.test")]
    [InlineData("a..zone.test", "A", "10.0.0.1")]
    [InlineData("a.zone.test", "CNAME", "bad name with spaces")]
    public void Apply_SetThatCannotBeServed_SkippedAndReported(string name, string type, string value)
    {
        var reported = new List<string>();

        var zone = s_empty.Apply(1, [new DnsRecordSet(name, type, 60, [value]), new DnsRecordSet("ok.zone.test", "A", 60, ["10.0.0.9"])], (_, error) => reported.Add(error));

        Assert.Single(reported);
        Assert.Single(zone.Lookup("ok.zone.test", DnsType.A).Answers);
        Assert.Equal(1, zone.Serial);
    }
}
