using Demiurge.Common;

namespace Demiurge.Tests.Common;

public sealed class HostNamesTests
{
    private const string Domain = "demiurge.localhost";

    [Theory]
    [InlineData("org-abc.demiurge.localhost", "abc")]
    [InlineData("*.org-abc.demiurge.localhost", "abc")]
    [InlineData("org-abc.demiurge.localhost.", "abc")]
    [InlineData("*.org-0190a-b.Demiurge.Localhost.", "0190a-b")]
    [InlineData("demiurge.localhost", null)]
    [InlineData("ganymede.demiurge.localhost", null)]
    [InlineData("ns.demiurge.localhost.", null)]
    [InlineData("org-.demiurge.localhost", null)]
    [InlineData("uc-1.org-abc.demiurge.localhost", null)]
    [InlineData("org-abc.other.localhost", null)]
    [InlineData("org-abc.xdemiurge.localhost", null)]
    public void OrganizationOf_Name_TheOrganizationOrNull(string name, string? expected)
    {
        Assert.Equal(expected, HostNames.OrganizationOf(name, Domain));
    }

    [Fact]
    public void OrganizationOf_Organization_RoundTrips()
    {
        var organizationId = Guid.NewGuid().ToString();

        Assert.Equal(organizationId, HostNames.OrganizationOf(HostNames.Organization(organizationId, Domain), Domain));
    }

    [Fact]
    public void Names_EverySchemeOfTheArchitecture()
    {
        Assert.Equal("org-abc.demiurge.localhost", HostNames.Organization("abc", Domain));
        Assert.Equal("uc-7.org-abc.demiurge.localhost", HostNames.Container("7", "org-abc.demiurge.localhost"));
        Assert.Equal("*.org-abc.demiurge.localhost", HostNames.Wildcard("org-abc.demiurge.localhost"));
        Assert.Equal("shop.acme.apps.demiurge.localhost", HostNames.App("shop", "acme", Domain));
        Assert.Equal("shop-staging.acme.apps.demiurge.localhost", HostNames.App("shop", "acme", Domain, "staging"));
        Assert.Equal("shop-pr-42.acme.apps.demiurge.localhost", HostNames.Preview("shop", 42, "acme", Domain));
    }

    [Theory]
    [InlineData("org-abc.demiurge.localhost", "*.org-abc.demiurge.localhost")]
    [InlineData("uc-1.org-abc.demiurge.localhost", "*.org-abc.demiurge.localhost")]
    [InlineData("UC-1.Org-Abc.demiurge.localhost.", "*.org-abc.demiurge.localhost")]
    [InlineData("shop.acme.apps.demiurge.localhost", "*.acme.apps.demiurge.localhost")]
    [InlineData("shop-pr-3.acme.apps.demiurge.localhost", "*.acme.apps.demiurge.localhost")]
    [InlineData("acme.apps.demiurge.localhost", "*.acme.apps.demiurge.localhost")]
    [InlineData("a.b.org-abc.demiurge.localhost", "a.b.org-abc.demiurge.localhost")]
    [InlineData("demiurge.localhost", "demiurge.localhost")]
    [InlineData("other.demiurge.localhost", "other.demiurge.localhost")]
    public void CertificateNameOf_Host_OneWildcardPerOrganizationAndLevel(string host, string expected)
    {
        Assert.Equal(expected, HostNames.CertificateNameOf(host, Domain));
    }

    [Theory]
    [InlineData("apps", true)]
    [InlineData("Ganymede", true)]
    [InlineData("ns", true)]
    [InlineData("www", true)]
    [InlineData("org-x", true)]
    [InlineData("uc-1", true)]
    [InlineData("acme", false)]
    [InlineData("organic", false)]
    [InlineData("news", false)]
    public void IsReserved_Label_ReservedOrNot(string label, bool expected)
    {
        Assert.Equal(expected, HostNames.IsReserved(label));
    }

    [Theory]
    [InlineData("Acme", "acme")]
    [InlineData("  Acme Corp.  ", "acme-corp")]
    [InlineData("Café Müller & Söhne", "cafe-muller-sohne")]
    [InlineData("a__b--c", "a-b-c")]
    [InlineData("Org-Acme", "acme")]
    [InlineData("uc-org-x", "x")]
    [InlineData("WWW", "www-2")]
    [InlineData("日本", "org")]
    [InlineData("", "org")]
    public void Slug_Name_DnsSafeAndNeverReserved(string name, string expected)
    {
        Assert.Equal(expected, HostNames.Slug(name, _ => false));
    }

    [Fact]
    public void Slug_Taken_NextFreeNumber()
    {
        var taken = new HashSet<string> { "acme", "acme-2" };

        Assert.Equal("acme-3", HostNames.Slug("ACME", taken.Contains));
    }

    [Fact]
    public void Slug_LongName_FitsALabelWithRoomForANumber()
    {
        var slug = HostNames.Slug(new string('a', 40) + " " + new string('b', 40), _ => false);

        Assert.Equal(HostNames.SlugMaxLength, slug.Length);
        Assert.DoesNotMatch("-$", slug);
    }

    [Theory]
    [InlineData("WWW")]
    [InlineData("Acme Corp")]
    [InlineData("Org-Acme")]
    public void Slug_AnyName_IsItsBaseOrTheBaseAndANumber(string name)
    {
        var baseLabel = HostNames.SlugBase(name);
        var taken = new HashSet<string> { baseLabel, baseLabel + "-2" };

        var slug = HostNames.Slug(name, taken.Contains);

        Assert.StartsWith(baseLabel + "-", slug, StringComparison.Ordinal);
        Assert.DoesNotContain(slug, taken);
    }

    /// <summary>"org-2" is a gateway's label and "uc-2" a container's: numbering them so would never find a free slug.</summary>
    [Theory]
    [InlineData("Org", "org3")]
    [InlineData("日本", "org3")]
    [InlineData("UC", "uc3")]
    public void Slug_TakenLabelThatAHyphenWouldMakeReserved_NumberWithoutHyphen(string name, string expected)
    {
        var label = HostNames.SlugBase(name);
        var taken = new HashSet<string> { label, label + "2" };

        Assert.Equal(expected, HostNames.Slug(name, taken.Contains));
        Assert.Null(HostNames.SlugError(expected));
    }

    [Theory]
    [InlineData("acme")]
    [InlineData("acme-corp-2")]
    [InlineData("0day")]
    [InlineData("a")]
    public void SlugError_ValidSlug_Null(string slug)
    {
        Assert.Null(HostNames.SlugError(slug));
        Assert.Null(HostNames.SlugError(new string('x', HostNames.MaxLabelLength)));
    }

    [Theory]
    [InlineData("", "lower-case")]
    [InlineData("Acme", "lower-case")]
    [InlineData("-acme", "lower-case")]
    [InlineData("acme-", "lower-case")]
    [InlineData("ac--me", "lower-case")]
    [InlineData("ac_me", "lower-case")]
    [InlineData("acme.corp", "lower-case")]
    [InlineData("café", "lower-case")]
    [InlineData("www", "reserved")]
    [InlineData("apps", "reserved")]
    [InlineData("org-acme", "reserved")]
    [InlineData("uc-1", "reserved")]
    public void SlugError_MalformedOrReserved_SaysWhich(string slug, string expected)
    {
        Assert.Contains(expected, HostNames.SlugError(slug), StringComparison.Ordinal);
    }

    [Fact]
    public void SlugError_LongerThanALabel_Malformed()
    {
        Assert.NotNull(HostNames.SlugError(new string('x', HostNames.MaxLabelLength + 1)));
    }

    [Theory]
    [InlineData("org-abc.demiurge.localhost", "Organization", "", "org-abc.demiurge.localhost")]
    [InlineData("uc-Jupyter.org-abc.demiurge.localhost.", "Container", "jupyter", "org-abc.demiurge.localhost")]
    [InlineData("127.0.0.1", "Gateway", "", "")]
    [InlineData("uc-1.example.org", "Gateway", "", "")]
    public void Classify_Host_WhatAGatewaySees(string host, string kind, string container, string organization)
    {
        Assert.Equal(kind, HostNames.Classify(host, out var containerLabel, out var organizationHost).ToString());
        Assert.Equal((container, organization), (containerLabel, organizationHost));
    }
}
