using Demiurge.Hosting;

namespace Demiurge.Tests.Hosting;

public sealed class GatewayNamesTests
{
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
        Assert.Equal(expected, GatewayNames.OrganizationOf(name, "demiurge.localhost"));
    }

    [Fact]
    public void OrganizationOf_Hostname_RoundTrips()
    {
        var organizationId = Guid.NewGuid().ToString();

        Assert.Equal(organizationId, GatewayNames.OrganizationOf(GatewayNames.Hostname(organizationId, "demiurge.localhost"), "demiurge.localhost"));
    }
}
