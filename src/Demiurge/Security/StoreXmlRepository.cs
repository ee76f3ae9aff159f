using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Demiurge.Security;

/// <summary>
/// ASP.NET Data Protection's key ring in the store, each key sealed by the master key: every
/// control plane of one store reads the same keys, so a cookie or token protected by one is
/// read by all, and a reader of the store alone gets nothing usable.
/// </summary>
/// <remarks>
/// <see cref="IXmlRepository"/> is synchronous; Data Protection calls it when it first needs its
/// keys and when it rolls one (every 90 days by default), never per request.
/// </remarks>
internal sealed class StoreXmlRepository(IDataProtectionKeyStore store, KeyRing ring, TimeProvider time) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. store.DataProtectionKeyListAsync(CancellationToken.None).GetAwaiter().GetResult()
            .Select(key => XElement.Parse(Encoding.UTF8.GetString(ring.UnwrapWithMasterKey(key.Name, key.Sealed))))];

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        var name = string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString() : friendlyName;
        var sealedXml = ring.WrapWithMasterKey(name, Encoding.UTF8.GetBytes(element.ToString(SaveOptions.DisableFormatting)));
        store.DataProtectionKeyAddAsync(name, sealedXml, time.GetUtcNow(), CancellationToken.None).GetAwaiter().GetResult();
    }
}
