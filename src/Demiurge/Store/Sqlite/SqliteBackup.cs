using Demiurge.Store.Backups;
using Microsoft.Data.Sqlite;

namespace Demiurge.Store.Sqlite;

/// <summary>Snapshots of the SQLite store with SQLite's online backup API, and their restore.</summary>
internal static class SqliteBackup
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    /// <summary>
    /// Copies the database at <paramref name="databasePath"/> into <paramref name="destination"/>
    /// (created 0600) as one consistent snapshot while the platform goes on writing.
    /// </summary>
    public static async Task CopyAsync(string databasePath, string destination, CancellationToken cancellationToken)
    {
        if (!File.Exists(databasePath))
        {
            throw new BackupException($"There is no SQLite store at {databasePath}; give the data directory with --data-dir.");
        }

        DataDirectory.EnsureFile(destination);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var source = Open(databasePath, SqliteOpenMode.ReadWrite);
                using var target = Open(destination, SqliteOpenMode.ReadWrite);
                // One backup step under one read transaction: a snapshot of a single commit. In WAL
                // mode the platform's writers do not wait for it.
                source.BackupDatabase(target);
                // The copy is one self-contained file, whatever journal mode the store runs in.
                using var command = target.CreateCommand();
                command.CommandText = "PRAGMA journal_mode = DELETE";
                command.ExecuteNonQuery();
                return;
            }
            catch (SqliteException exception) when (exception.SqliteErrorCode is SqliteBusy or SqliteLocked && attempt < 50)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>Checks that <paramref name="file"/> is an intact SQLite database holding a Demiurge store.</summary>
    public static void Verify(string file)
    {
        try
        {
            using var connection = Open(file, SqliteOpenMode.ReadOnly);
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA quick_check";
            if (check.ExecuteScalar() as string != "ok")
            {
                throw new BackupException("The backup's SQLite store is damaged (PRAGMA quick_check failed).");
            }

            check.CommandText = "SELECT count(*) FROM schema_migrations";
            check.ExecuteScalar();
        }
        catch (SqliteException exception)
        {
            throw new BackupException($"The backup's store is not a Demiurge SQLite store: {exception.Message}");
        }
    }

    /// <summary>Puts <paramref name="snapshot"/> in place as the store at <paramref name="databasePath"/>, 0600.</summary>
    public static void Restore(string snapshot, string databasePath)
    {
        // A journal of the database being replaced would be replayed onto the restored one.
        foreach (var suffix in new[] { "-wal", "-shm", "-journal" })
        {
            File.Delete(databasePath + suffix);
        }

        var temporary = databasePath + ".restoring";
        File.Delete(temporary);
        using (var from = File.OpenRead(snapshot))
        using (var to = DataDirectory.OpenFile(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            from.CopyTo(to);
        }

        File.Move(temporary, databasePath, overwrite: true);
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
