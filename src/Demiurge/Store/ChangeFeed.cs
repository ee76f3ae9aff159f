using System.Data.Common;

namespace Demiurge.Store;

/// <summary>
/// A table whose rows carry the version of the write that last changed them, counted in one row
/// of <c>versions</c> per table, so that watchers read only what changed since the version they saw.
/// </summary>
internal static class ChangeFeed
{
    /// <summary>
    /// Moves the feed <paramref name="name"/> to its next version, for the write in
    /// <paramref name="session"/> to stamp its rows with. The row lock the update takes holds
    /// until commit, so versions commit in order and a watcher that has seen version n has
    /// seen every change up to n.
    /// </summary>
    public static async Task<long> NextVersionAsync(DbSession session, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        await session.ExecuteAsync("UPDATE versions SET version = version + 1 WHERE name = @name", cancellationToken, ("@name", name));
        return await session.ScalarAsync<long>("SELECT version FROM versions WHERE name = @name", cancellationToken, ("@name", name));
    }

    /// <summary>
    /// Writes <paramref name="rows"/> in one transaction, each through <paramref name="sql"/> with the
    /// parameters <paramref name="parameters"/> gives it and <c>@version</c>, the feed's next version;
    /// returns that version.
    /// </summary>
    public static async Task<long> WriteAsync<T>(
        Database database, string name, IReadOnlyList<T> rows, string sql, Func<T, (string Name, object? Value)[]> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(rows);
        long version = 0;
        await database.WriteAsync(async session =>
        {
            version = await NextVersionAsync(session, name, cancellationToken);
            foreach (var row in rows)
            {
                await session.ExecuteAsync(sql, cancellationToken, [.. parameters(row), ("@version", version)]);
            }

            return true;
        }, null, cancellationToken);
        return version;
    }

    /// <summary>
    /// The feed's version and the rows <paramref name="sql"/> reads (given <c>@after</c>) when it is past
    /// <paramref name="afterVersion"/>. One snapshot for both: under read committed a change committed
    /// between the two statements would come back with a version that does not cover it.
    /// </summary>
    public static Task<(long Version, IReadOnlyList<T> Changes)> ChangedAsync<T>(
        Database database, string name, string sql, long afterVersion, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        return database.ReadSnapshotAsync(async session =>
        {
            var version = await session.ScalarAsync<long>("SELECT version FROM versions WHERE name = @name", cancellationToken, ("@name", name));
            IReadOnlyList<T> changes = version > afterVersion
                ? await session.ListAsync(sql, read, cancellationToken, ("@after", afterVersion))
                : [];
            return (version, changes);
        }, cancellationToken);
    }
}
