using System.Formats.Tar;
using System.Text.Json;

namespace Demiurge.Store.Backups;

/// <summary>
/// A backup is one tar file, written 0600: <c>demiurge-backup.json</c> (the manifest), the store
/// (<c>store.db</c>, a SQLite database, or <c>store.sql</c>, a plain <c>pg_dump</c>) and, when the
/// data directory has one, <c>master.key</c>. Standard tools can list and unpack it.
/// </summary>
internal static class BackupArchive
{
    public const string Format = "demiurge-backup";
    public const int Version = 1;
    public const string ManifestName = "demiurge-backup.json";
    public const string SqliteStoreName = "store.db";
    public const string PostgresStoreName = "store.sql";
    public const string MasterKeyName = Security.MasterKey.FileName;

    private const int MaxManifestBytes = 64 * 1024;
    private const UnixFileMode EntryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static string StoreEntry(string store) => store == StoreOptions.Postgres ? PostgresStoreName : SqliteStoreName;

    /// <summary>Writes the archive to a temporary file beside <paramref name="path"/> and renames it, so a failed backup leaves no half file.</summary>
    public static async Task WriteAsync(string path, BackupManifest manifest, IReadOnlyList<(string Name, string File)> entries, CancellationToken cancellationToken)
    {
        var partial = path + ".partial";
        File.Delete(partial);
        try
        {
            await using (var stream = DataDirectory.OpenFile(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            await using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: false))
            {
                await WriteEntryAsync(tar, ManifestName, new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(manifest, s_json)), cancellationToken);
                foreach (var (name, file) in entries)
                {
                    await using var content = File.OpenRead(file);
                    await WriteEntryAsync(tar, name, content, cancellationToken);
                }
            }

            File.Move(partial, path, overwrite: true);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    /// <summary>
    /// Checks the archive and unpacks its entries into <paramref name="folder"/> (files 0600).
    /// Only the entries this format knows are accepted, each once.
    /// </summary>
    /// <exception cref="BackupException">The file is missing or is not a backup of this format.</exception>
    public static async Task<BackupManifest> ExtractAsync(string path, string folder, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new BackupException($"There is no file {path}.");
        }

        BackupManifest? manifest = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await using var stream = File.OpenRead(path);
            await using var tar = new TarReader(stream);
            while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                    || entry.Name is not (ManifestName or SqliteStoreName or PostgresStoreName or MasterKeyName)
                    || !seen.Add(entry.Name))
                {
                    throw Invalid(path, $"unexpected entry '{entry.Name}'");
                }

                if (entry.Name == ManifestName)
                {
                    manifest = await ReadManifestAsync(path, entry, cancellationToken);
                    continue;
                }

                await using var target = DataDirectory.OpenFile(Path.Combine(folder, entry.Name), FileMode.CreateNew, FileAccess.Write, FileShare.None);
                if (entry.DataStream is { } data)
                {
                    await data.CopyToAsync(target, cancellationToken);
                }
            }
        }
        catch (Exception exception) when (exception is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw Invalid(path, "not a tar file");
        }

        if (manifest is null)
        {
            throw Invalid(path, $"no {ManifestName}");
        }

        if (!seen.Contains(StoreEntry(manifest.Store)) || seen.Contains(StoreEntry(manifest.Store == StoreOptions.Postgres ? StoreOptions.Sqlite : StoreOptions.Postgres)))
        {
            throw Invalid(path, $"a {manifest.Store} backup must hold {StoreEntry(manifest.Store)} and no other store");
        }

        if (manifest.MasterKey != seen.Contains(MasterKeyName))
        {
            throw Invalid(path, $"the manifest and the archive disagree on {MasterKeyName}");
        }

        return manifest;
    }

    private static async Task<BackupManifest> ReadManifestAsync(string path, TarEntry entry, CancellationToken cancellationToken)
    {
        if (entry.Length > MaxManifestBytes || entry.DataStream is not { } data)
        {
            throw Invalid(path, $"{ManifestName} is not a manifest");
        }

        BackupManifest? manifest;
        try
        {
            manifest = await JsonSerializer.DeserializeAsync<BackupManifest>(data, s_json, cancellationToken);
        }
        catch (JsonException exception)
        {
            throw Invalid(path, $"{ManifestName} is not valid: {exception.Message}");
        }

        if (manifest is null || manifest.Format != Format || manifest.Store is not (StoreOptions.Sqlite or StoreOptions.Postgres))
        {
            throw Invalid(path, $"{ManifestName} does not describe a Demiurge backup");
        }

        if (manifest.Version != Version)
        {
            throw new BackupException($"{path} is a backup of format version {manifest.Version}; this demiurge reads version {Version}.");
        }

        return manifest;
    }

    private static BackupException Invalid(string path, string why) => new($"{path} is not a Demiurge backup: {why}.");

    private static Task WriteEntryAsync(TarWriter tar, string name, Stream content, CancellationToken cancellationToken) =>
        tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = content, Mode = EntryMode, ModificationTime = DateTimeOffset.UtcNow }, cancellationToken);
}
