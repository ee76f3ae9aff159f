using Demiurge.Edge;
using Demiurge.Hosting;
using Microsoft.Extensions.Options;

namespace Demiurge.Tests.Edge;

public sealed class EdgeRouteTableTests
{
    private static readonly Uri s_a = new("http://127.0.0.1:20001/");
    private static readonly Uri s_b = new("http://127.0.0.1:20002/");

    private readonly EdgeRouteTable _table = new(Options.Create(new DemiurgeOptions { Domain = "demiurge.localhost" }));

    [Theory]
    [InlineData("org-1.demiurge.localhost")]
    [InlineData("ORG-1.Demiurge.Localhost")]
    [InlineData("org-1.demiurge.localhost.")]
    [InlineData("uc-42.org-1.demiurge.localhost")]
    [InlineData("a.b.org-1.demiurge.localhost")]
    public void Find_OrganizationNameOrANameUnderIt_FindsItsGateway(string host)
    {
        _table.Apply("org-1.demiurge.localhost", s_a, 1);

        Assert.Equal(s_a, _table.Find(host));
    }

    [Theory]
    [InlineData("org-2.demiurge.localhost")]
    [InlineData("org-1.other.localhost")]
    [InlineData("org-1.demiurge.localhost.evil.example")]
    [InlineData("xorg-1.demiurge.localhost")]
    [InlineData("demiurge.localhost")]
    [InlineData(".demiurge.localhost")]
    [InlineData("")]
    public void Find_NameOfNoRoutedOrganization_FindsNothing(string host)
    {
        _table.Apply("org-1.demiurge.localhost", s_a, 1);

        Assert.Null(_table.Find(host));
    }

    [Fact]
    public void Apply_OlderVersionAfterNewer_IsIgnored()
    {
        _table.Apply("org-1.demiurge.localhost", s_b, 5);
        _table.Apply("org-1.demiurge.localhost", s_a, 4);

        Assert.Equal(s_b, _table.Find("org-1.demiurge.localhost"));
    }

    [Fact]
    public void Apply_RemovalThenOlderSet_StaysRemoved()
    {
        _table.Apply("org-1.demiurge.localhost", s_a, 1);
        _table.Apply("org-1.demiurge.localhost", null, 3);
        _table.Apply("org-1.demiurge.localhost", s_a, 2);

        Assert.Null(_table.Find("uc-1.org-1.demiurge.localhost"));
        Assert.Equal(0, _table.Count);
    }

    [Fact]
    public void Apply_SameVersionAgain_Applies()
    {
        // A watcher's batch carries the version it was read at, which can equal the router's own.
        _table.Apply("org-1.demiurge.localhost", s_a, 7);
        _table.Apply("org-1.demiurge.localhost", s_b, 7);

        Assert.Equal(s_b, _table.Find("org-1.demiurge.localhost"));
    }
}
