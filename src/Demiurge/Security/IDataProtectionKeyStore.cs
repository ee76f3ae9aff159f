namespace Demiurge.Security;

/// <summary>ASP.NET Data Protection's keys, sealed by the master key (migration 0010).</summary>
internal interface IDataProtectionKeyStore
{
    /// <summary>Every stored key, oldest first.</summary>
    Task<IReadOnlyList<(string Name, string Sealed)>> DataProtectionKeyListAsync(CancellationToken cancellationToken);

    /// <summary>Adds one; a name already stored is kept as it is.</summary>
    Task DataProtectionKeyAddAsync(string name, string sealedXml, DateTimeOffset now, CancellationToken cancellationToken);
}
