using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Demiurge.Store.Sqlite;

/// <summary>The embedded default: one SQLite file in the data directory, in WAL mode.</summary>
internal sealed class SqliteStore(string databasePath) : SqlStore
{
    private const int SqliteConstraint = 19;

    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        ForeignKeys = true,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    protected override string PrepareDatabaseSql => "PRAGMA journal_mode = WAL";

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    protected override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: 2067 or 1555 };
}
