using System.Text;
using System.Xml.Linq;
using Demiurge.Security;
using Demiurge.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.Security;

/// <summary>
/// Data Protection knows its keys are encrypted at rest: each key's secret is sealed by the master
/// key inside the element that the store keeps sealed as a whole.
/// </summary>
public sealed class MasterKeyXmlEncryptorTests
{
    [Fact]
    public async Task Protect_NewKey_SecretSealedByTheMasterKeyInsideTheSealedElement_AndReadBack()
    {
        await using var fixture = new ControlPlaneFixture();
        await fixture.InitializeAsync();
        var services = fixture.ControlPlane.Services;
        var protector = services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");

        var cookie = protector.Protect("alice's session");

        Assert.Equal("alice's session", protector.Unprotect(cookie));
        var ring = services.GetRequiredService<KeyRing>();
        var stored = await services.GetRequiredService<IDataProtectionKeyStore>().DataProtectionKeyListAsync(CancellationToken.None);
        var key = XElement.Parse(Encoding.UTF8.GetString(ring.UnwrapWithMasterKey(stored[0].Name, stored[0].Sealed)));
        var secret = Assert.Single(key.Descendants(), e => e.Name.LocalName == "encryptedSecret");
        Assert.Contains(nameof(MasterKeyXmlDecryptor), secret.Attribute("decryptorType")?.Value, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Descendants(), e => e.Name.LocalName == "masterKey");
        var inner = XElement.Parse(Encoding.UTF8.GetString(ring.UnwrapWithMasterKey(MasterKeyXmlEncryptor.Purpose, secret.Element(MasterKeyXmlEncryptor.ElementName)!.Value)));
        Assert.Equal("masterKey", inner.Name.LocalName);
    }
}
