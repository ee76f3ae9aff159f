namespace Demiurge.Store.Backups;

/// <summary>A backup or restore that cannot be done, with what to do about it; nothing was changed.</summary>
internal sealed class BackupException(string message) : Exception(message);
