using Demiurge.Store.Postgres;
using Demiurge.Store.Sqlite;

namespace Demiurge.Store.Backups;

/// <summary>
/// <c>demiurge backup</c> and <c>demiurge restore</c>: the store, with the data directory's master
/// key (which wraps the key ring kept in the store), in one archive (<see cref="BackupArchive"/>).
/// </summary>
internal static class StoreBackup
{
    /// <summary>Writes a consistent snapshot of the configured store to <paramref name="output"/> while the platform runs.</summary>
    /// <exception cref="BackupException">There is nothing to back up, or a tool failed.</exception>
    public static async Task<BackupManifest> BackupAsync(string dataDir, StoreOptions options, string output, TimeProvider time, CancellationToken cancellationToken)
    {
        var archive = Path.GetFullPath(output);
        dataDir = Path.GetFullPath(dataDir);
        var folder = Path.GetDirectoryName(archive)!;
        if (!Directory.Exists(folder))
        {
            throw new BackupException($"The folder {folder} does not exist.");
        }

        // Staged beside the archive, not in /tmp: the same file system, and room for the store.
        var work = DataDirectory.CreateFolder(Path.Combine(folder, $".demiurge-backup-{Guid.NewGuid():N}"));
        try
        {
            var store = options.Provider;
            var snapshot = Path.Combine(work, BackupArchive.StoreEntry(store));
            var createdAt = time.GetUtcNow();
            if (store == StoreOptions.Postgres)
            {
                await PostgresBackup.DumpAsync(options.PostgresConnectionString!, snapshot, cancellationToken);
            }
            else
            {
                await SqliteBackup.CopyAsync(Path.Combine(dataDir, StoreExtensions.DatabaseFileName), snapshot, cancellationToken);
            }

            var entries = new List<(string Name, string File)> { (BackupArchive.StoreEntry(store), snapshot) };
            var masterKey = Path.Combine(dataDir, BackupArchive.MasterKeyName);
            if (File.Exists(masterKey))
            {
                entries.Add((BackupArchive.MasterKeyName, masterKey));
            }

            var manifest = new BackupManifest(BackupArchive.Format, BackupArchive.Version, store, createdAt, entries.Count > 1);
            await BackupArchive.WriteAsync(archive, manifest, entries, cancellationToken);
            return manifest;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// Restores <paramref name="input"/> into the configured store and data directory. Without
    /// <paramref name="force"/> both must be empty (a SQLite data directory) or hold no store (a
    /// PostgreSQL database) and no master key; every check is made before anything is changed.
    /// </summary>
    /// <exception cref="BackupException">The archive is not usable here, or the target is not empty.</exception>
    public static async Task<BackupManifest> RestoreAsync(string dataDir, StoreOptions options, string input, bool force, CancellationToken cancellationToken)
    {
        dataDir = Path.GetFullPath(dataDir);
        var parent = Path.GetDirectoryName(dataDir);
        var work = parent is not null && Directory.Exists(parent)
            ? DataDirectory.CreateFolder(Path.Combine(parent, $".demiurge-restore-{Guid.NewGuid():N}"))
            : Directory.CreateTempSubdirectory("demiurge-restore-").FullName;
        try
        {
            var manifest = await BackupArchive.ExtractAsync(Path.GetFullPath(input), work, cancellationToken);
            var store = options.Provider;
            if (manifest.Store != store)
            {
                throw new BackupException($"{input} holds a {manifest.Store} store, and this restore targets {store}: give {StoreSettings.Provider.Flag} {manifest.Store}.");
            }

            var snapshot = Path.Combine(work, BackupArchive.StoreEntry(store));
            var masterKey = Path.Combine(dataDir, BackupArchive.MasterKeyName);
            var replace = "; restore into an empty one, or add --force to replace it (stop the platform first)";
            IReadOnlyList<string> schemas = [];
            if (store == StoreOptions.Postgres)
            {
                schemas = await PostgresBackup.NonEmptySchemasAsync(options.PostgresConnectionString!, cancellationToken);
                if (schemas.Count > 0 && !force)
                {
                    throw new BackupException($"The PostgreSQL database is not empty (schemas {string.Join(", ", schemas)}){replace}.");
                }

                if (manifest.MasterKey && File.Exists(masterKey) && !force)
                {
                    throw new BackupException($"{masterKey} exists{replace}.");
                }
            }
            else
            {
                SqliteBackup.Verify(snapshot);
                if (Directory.Exists(dataDir) && Directory.EnumerateFileSystemEntries(dataDir).Any() && !force)
                {
                    throw new BackupException($"The data directory {dataDir} is not empty{replace}.");
                }
            }

            DataDirectory.Prepare(dataDir, Edge.EdgeHost.CertificateAuthorityFile(dataDir));
            if (store == StoreOptions.Postgres)
            {
                await PostgresBackup.RestoreAsync(options.PostgresConnectionString!, snapshot, schemas, cancellationToken);
            }
            else
            {
                SqliteBackup.Restore(snapshot, Path.Combine(dataDir, StoreExtensions.DatabaseFileName));
            }

            if (manifest.MasterKey)
            {
                File.Move(Path.Combine(work, BackupArchive.MasterKeyName), masterKey, overwrite: true);
            }

            return manifest;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
