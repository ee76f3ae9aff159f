using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Demiurge.Security;

/// <summary>
/// Opens what <see cref="MasterKeyXmlEncryptor"/> sealed. Data Protection creates it by its type
/// name, through the constructor that takes the service provider.
/// </summary>
internal sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var plaintext = services.GetRequiredService<KeyRing>().UnwrapWithMasterKey(MasterKeyXmlEncryptor.Purpose, encryptedElement.Value);
        return XElement.Parse(Encoding.UTF8.GetString(plaintext));
    }
}
