using System.Data.Common;

namespace Demiurge.Store;

/// <summary>
/// What differs between the SQL engines the store runs on: how to connect, which errors are
/// unique-constraint violations, and how writers from several processes are kept apart. The
/// queries themselves are portable and belong to the stores; this class knows no feature.
/// </summary>
/// <remarks>
/// The lock members return null, and no lock is ever held, for an engine with a single writer:
/// there, one process holds the whole database while it writes, so there is nothing to lock and
/// no other session to ask about.
/// </remarks>
internal abstract class SqlDialect : IAsyncDisposable
{
    /// <summary>Opens a connection to the database.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="exception"/> is a unique-constraint (or primary-key) violation.</summary>
    public abstract bool IsUniqueViolation(DbException exception);

    /// <summary>Statements that run once per database before migrations (e.g. SQLite's journal mode).</summary>
    public virtual string? PrepareDatabaseSql => null;

    /// <summary>Waits until this process may write; engines with a single writer queue here instead of retrying.</summary>
    public virtual ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);

    /// <summary>A statement that takes the session lock <paramref name="key"/>, waiting for it.</summary>
    public virtual string? SessionLockSql(long key) => null;

    /// <summary>A statement that releases the session lock <paramref name="key"/>.</summary>
    public virtual string? SessionUnlockSql(long key) => null;

    /// <summary>
    /// A statement that takes the two-part session lock (<paramref name="space"/>, a hash of the
    /// text <paramref name="keySql"/> evaluates to), waiting for it.
    /// </summary>
    public virtual string? SessionLockSql(int space, string keySql) => null;

    /// <summary>
    /// A condition, true while some session holds the two-part lock of
    /// <see cref="SessionLockSql(int, string)"/>; <paramref name="keySql"/> may name a column.
    /// </summary>
    public virtual string SessionLockHeldSql(int space, string keySql) => "FALSE";

    /// <summary>A statement that takes the lock <paramref name="key"/> until the transaction ends.</summary>
    public virtual string? TransactionLockSql(long key) => null;

    /// <summary>A statement that takes the two-part lock (<paramref name="space"/>, hash of <paramref name="keySql"/>) until the transaction ends.</summary>
    public virtual string? TransactionLockSql(int space, string keySql) => null;

    /// <summary>
    /// Appended to a read whose rows must not change until the transaction ends: later
    /// transactions that read the same rows with it wait for this one.
    /// </summary>
    public virtual string RowLockClause => string.Empty;

    /// <summary>
    /// Appended to a read that takes the first rows nobody else holds: concurrent transactions
    /// pass over each other's rows instead of queueing on them.
    /// </summary>
    public virtual string SkipLockedClause => string.Empty;

    public abstract ValueTask DisposeAsync();
}
