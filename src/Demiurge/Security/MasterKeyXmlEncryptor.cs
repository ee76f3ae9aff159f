using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Demiurge.Security;

/// <summary>
/// Seals the secret of each ASP.NET Data Protection key with the master key, so that Data
/// Protection knows its keys are encrypted at rest (and says nothing about an unencrypted key).
/// <see cref="StoreXmlRepository"/> then seals the whole key element again before it is stored:
/// the store holds neither the secret nor the key's metadata in the clear.
/// </summary>
internal sealed class MasterKeyXmlEncryptor(KeyRing ring) : IXmlEncryptor
{
    /// <summary>The name the master key binds each sealed secret to.</summary>
    internal const string Purpose = "data-protection-secret";

    /// <summary>The element that holds the sealed secret.</summary>
    internal const string ElementName = "sealedByMasterKey";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var sealedText = ring.WrapWithMasterKey(Purpose, Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting)));
        return new EncryptedXmlInfo(new XElement(ElementName, sealedText), typeof(MasterKeyXmlDecryptor));
    }
}
