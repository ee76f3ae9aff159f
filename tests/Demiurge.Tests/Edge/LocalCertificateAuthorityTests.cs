using System.Security.Cryptography.X509Certificates;
using Demiurge.Edge;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Edge;

public sealed class LocalCertificateAuthorityTests
{
    [Fact]
    public void CertificateFor_MoreNamesThanTheCapacity_CacheStaysBoundedAndKeepsTheRecent()
    {
        using var folder = new TempDirectory();
        using var authority = LocalCertificateAuthority.LoadOrCreate(folder.Path, TimeProvider.System, cacheCapacity: 4);
        var kept = authority.CertificateFor("*.org-kept.test");

        for (var i = 0; i < 20; i++)
        {
            authority.CertificateFor($"*.org-{i}.test");
            Assert.Same(kept, authority.CertificateFor("*.org-KEPT.test"));
            Assert.InRange(authority.CachedCount, 1, 4);
        }

        Assert.Equal(21, authority.IssuedTotal);
        Assert.Equal(4, authority.CachedCount);
        // org-0 was evicted long ago: asking again issues a new certificate.
        authority.CertificateFor("*.org-0.test");
        Assert.Equal(22, authority.IssuedTotal);
    }

    [Fact]
    public void CertificateFor_Wildcard_NamesTheParentToo()
    {
        using var folder = new TempDirectory();
        using var authority = LocalCertificateAuthority.LoadOrCreate(folder.Path, TimeProvider.System);

        var certificate = authority.CertificateFor("*.org-1.test");

        Assert.True(certificate.MatchesHostname("org-1.test"));
        Assert.True(certificate.MatchesHostname("uc-7.org-1.test"));
        Assert.False(certificate.MatchesHostname("a.uc-7.org-1.test"));
        Assert.False(certificate.MatchesHostname("org-2.test"));
        Assert.Equal(authority.Certificate.Subject, certificate.Issuer);
    }
}
