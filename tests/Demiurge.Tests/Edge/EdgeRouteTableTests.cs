using Demiurge.Edge;

namespace Demiurge.Tests.Edge;

public sealed class EdgeRouteTableTests
{
    private static readonly Uri s_a = new("http://127.0.0.1:20001/");
    private static readonly Uri s_b = new("http://127.0.0.1:20002/");

    private readonly EdgeRouteTable _table = new();

    [Theory]
    [InlineData("org-1.demiurge.localhost")]
    [InlineData("ORG-1.Demiurge.Localhost")]
    [InlineData("org-1.demiurge.localhost.")]
    [InlineData("uc-42.org-1.demiurge.localhost")]
    [InlineData("UC-42.org-1.demiurge.localhost.")]
    public void Find_ExactNameOrOneLabelUnderTheWildcard_FindsItsDestination(string host)
    {
        ApplyOrganization(s_a, 1);

        Assert.Equal(s_a, _table.Find(host)?.Pick());
    }

    [Theory]
    [InlineData("org-2.demiurge.localhost")]
    [InlineData("org-1.other.localhost")]
    [InlineData("org-1.demiurge.localhost.evil.example")]
    [InlineData("xorg-1.demiurge.localhost")]
    [InlineData("demiurge.localhost")]
    [InlineData(".demiurge.localhost")]
    [InlineData(".org-1.demiurge.localhost")]
    [InlineData("")]
    // A wildcard covers one label, as its certificate does.
    [InlineData("a.b.org-1.demiurge.localhost")]
    public void Find_NameNoRouteMatches_FindsNothing(string host)
    {
        ApplyOrganization(s_a, 1);

        Assert.Null(_table.Find(host));
    }

    [Fact]
    public void Find_ExactRouteAndWildcard_TheExactOneWinsForItsName()
    {
        _table.Apply(EdgeRoute.To("app.acme.apps.demiurge.localhost", s_b), 1);
        _table.Apply(EdgeRoute.To("*.acme.apps.demiurge.localhost", s_a), 1);

        Assert.Equal(s_b, _table.Find("app.acme.apps.demiurge.localhost")?.Pick());
        Assert.Equal(s_a, _table.Find("other.acme.apps.demiurge.localhost")?.Pick());
        Assert.Null(_table.Find("acme.apps.demiurge.localhost"));
    }

    [Fact]
    public void Find_TwoWeightedDestinations_SplitsNewRequestsByWeight()
    {
        _table.Apply(new EdgeRoute("app.demiurge.localhost", [new(s_a, 3), new(s_b, 1)]), 1);

        var picks = Enumerable.Range(0, 20_000).Select(_ => _table.Find("app.demiurge.localhost")!.Pick()).ToList();

        Assert.InRange(picks.Count(p => p == s_a) / 20_000.0, 0.72, 0.78);
        Assert.Equal(20_000, picks.Count(p => p == s_a || p == s_b));
    }

    [Fact]
    public void Find_DrainingDestination_GetsNoNewRequests()
    {
        _table.Apply(new EdgeRoute("app.demiurge.localhost", [new(s_a, 1, Draining: true), new(s_b, 5)]), 1);

        Assert.All(Enumerable.Range(0, 1000), _ => Assert.Equal(s_b, _table.Find("app.demiurge.localhost")!.Pick()));
    }

    [Fact]
    public void Find_EveryDestinationDraining_RouteFoundWithNothingToPick()
    {
        _table.Apply(new EdgeRoute("app.demiurge.localhost", [new(s_a, 1, Draining: true)]), 1);

        Assert.Null(Assert.IsType<WeightedDestinations>(_table.Find("app.demiurge.localhost")).Pick());
    }

    [Fact]
    public void Apply_OlderVersionAfterNewer_IsIgnored()
    {
        ApplyOrganization(s_b, 5);
        ApplyOrganization(s_a, 4);

        Assert.Equal(s_b, _table.Find("org-1.demiurge.localhost")?.Pick());
    }

    [Fact]
    public void Apply_RemovalThenOlderSet_StaysRemoved()
    {
        ApplyOrganization(s_a, 1);
        _table.Apply(EdgeRoute.Removed("org-1.demiurge.localhost"), 3);
        _table.Apply(EdgeRoute.Removed("*.org-1.demiurge.localhost"), 3);
        ApplyOrganization(s_a, 2);

        Assert.Null(_table.Find("uc-1.org-1.demiurge.localhost"));
        Assert.Equal(0, _table.Count);
    }

    [Fact]
    public void Apply_SameVersionAgain_Applies()
    {
        // A watcher's batch carries the version it was read at, which can equal the router's own.
        ApplyOrganization(s_a, 7);
        ApplyOrganization(s_b, 7);

        Assert.Equal(s_b, _table.Find("org-1.demiurge.localhost")?.Pick());
    }

    private void ApplyOrganization(Uri destination, long version)
    {
        _table.Apply(EdgeRoute.To("org-1.demiurge.localhost", destination), version);
        _table.Apply(EdgeRoute.To("*.org-1.demiurge.localhost", destination), version);
    }
}
