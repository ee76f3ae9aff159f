using Demiurge.Security;

namespace Demiurge.Store;

/// <summary>ASP.NET Data Protection's sealed keys (migration 0010), in portable SQL.</summary>
internal sealed class SqlDataProtectionKeyStore(Database database) : IDataProtectionKeyStore
{
    public Task<IReadOnlyList<(string Name, string Sealed)>> DataProtectionKeyListAsync(CancellationToken cancellationToken) =>
        database.ListAsync("SELECT name, sealed FROM data_protection_keys ORDER BY created_at, name", r => (r.GetString(0), r.GetString(1)), cancellationToken);

    public Task DataProtectionKeyAddAsync(string name, string sealedXml, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(async session => await session.ExecuteAsync(
            "INSERT INTO data_protection_keys (name, sealed, created_at) VALUES (@name, @sealed, @at) ON CONFLICT (name) DO NOTHING",
            cancellationToken, ("@name", name), ("@sealed", sealedXml), ("@at", now.ToUnixTimeMilliseconds())) == 1, null, cancellationToken);
}
