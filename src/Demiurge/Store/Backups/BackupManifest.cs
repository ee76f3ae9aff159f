namespace Demiurge.Store.Backups;

/// <summary>The first entry of a backup archive: what it holds.</summary>
/// <param name="Format">Always <see cref="BackupArchive.Format"/>.</param>
/// <param name="Version">The archive layout's version, <see cref="BackupArchive.Version"/>.</param>
/// <param name="Store">The store it was taken from: <c>sqlite</c> (entry <c>store.db</c>) or <c>postgres</c> (entry <c>store.sql</c>).</param>
/// <param name="CreatedAt">When the snapshot was taken.</param>
/// <param name="MasterKey">Whether the data directory's master key is in it.</param>
internal sealed record BackupManifest(string Format, int Version, string Store, DateTimeOffset CreatedAt, bool MasterKey);
