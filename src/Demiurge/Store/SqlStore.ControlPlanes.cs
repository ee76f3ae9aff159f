using Demiurge.Coordination;

namespace Demiurge.Store;

/// <summary>The registry of live control planes (migration 0005), keyed by <see cref="InstanceId"/>.</summary>
internal abstract partial class SqlStore : IControlPlaneStore
{
    public Task ControlPlaneSeenAsync(Uri url, DateTimeOffset now, DateTimeOffset forgetBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        return WriteAsync(async (connection, transaction) =>
        {
            await ExecuteAsync(connection, transaction, """
                INSERT INTO control_planes (instance_id, url, seen_at) VALUES (@me, @url, @now)
                ON CONFLICT (instance_id) DO UPDATE SET url = excluded.url, seen_at = excluded.seen_at
                """, cancellationToken, ("@me", InstanceId), ("@url", url.AbsoluteUri), ("@now", Millis(now)));
            await ExecuteAsync(connection, transaction, "DELETE FROM control_planes WHERE seen_at < @forget", cancellationToken, ("@forget", Millis(forgetBefore)));
            return false;
        }, null, cancellationToken);
    }

    public Task<IReadOnlyList<Uri>> ControlPlaneListAsync(DateTimeOffset seenSince, CancellationToken cancellationToken) =>
        ListAsync("SELECT DISTINCT url FROM control_planes WHERE seen_at >= @since ORDER BY url",
            r => new Uri(r.GetString(0)), cancellationToken, ("@since", Millis(seenSince)));

    public Task ControlPlaneRemoveAsync(CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await ExecuteAsync(connection, transaction, "DELETE FROM control_planes WHERE instance_id = @me", cancellationToken, ("@me", InstanceId));
            return false;
        }, null, cancellationToken);
}
