using Demiurge.Coordination;

namespace Demiurge.Store;

/// <summary>The registry of live control planes (migration 0005), keyed by <see cref="Database.InstanceId"/>.</summary>
internal sealed class SqlControlPlaneStore(Database database) : IControlPlaneStore
{
    public Task ControlPlaneSeenAsync(Uri url, DateTimeOffset now, DateTimeOffset forgetBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        return database.WriteAsync(async session =>
        {
            await session.ExecuteAsync("""
                INSERT INTO control_planes (instance_id, url, seen_at) VALUES (@me, @url, @now)
                ON CONFLICT (instance_id) DO UPDATE SET url = excluded.url, seen_at = excluded.seen_at
                """, cancellationToken, ("@me", database.InstanceId), ("@url", url.AbsoluteUri), ("@now", now.ToUnixTimeMilliseconds()));
            await session.ExecuteAsync("DELETE FROM control_planes WHERE seen_at < @forget", cancellationToken, ("@forget", forgetBefore.ToUnixTimeMilliseconds()));
            return true;
        }, null, cancellationToken);
    }

    public Task<IReadOnlyList<Uri>> ControlPlaneListAsync(DateTimeOffset seenSince, CancellationToken cancellationToken) =>
        database.ListAsync("SELECT DISTINCT url FROM control_planes WHERE seen_at >= @since ORDER BY url",
            r => new Uri(r.GetString(0)), cancellationToken, ("@since", seenSince.ToUnixTimeMilliseconds()));

    public Task ControlPlaneRemoveAsync(CancellationToken cancellationToken) =>
        database.WriteAsync(async session =>
            await session.ExecuteAsync("DELETE FROM control_planes WHERE instance_id = @me", cancellationToken, ("@me", database.InstanceId)) == 1,
            null, cancellationToken);
}
