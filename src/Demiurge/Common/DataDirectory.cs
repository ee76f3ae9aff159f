namespace Demiurge.Common;

/// <summary>
/// The data directory holds credentials (the store, keys, worker logs), so it and everything the
/// platform creates in it are its owner's alone: folders 0700, files 0600. Modes are given at
/// creation rather than through the umask, which child processes such as nginx inherit. Only the
/// local CA's certificate may stay readable: it is what operators hand out to be trusted.
/// </summary>
internal static class DataDirectory
{
    private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupAndOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Creates the data directory 0700 and takes group and other permissions away from everything
    /// already in it (a data directory from before these modes), except <paramref name="readableFile"/> (the CA's certificate).
    /// Symbolic links are neither followed nor changed.
    /// </summary>
    public static void Prepare(string dataDir, string readableFile)
    {
        var root = CreateFolder(dataDir);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var walk = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", walk))
        {
            if ((entry.UnixFileMode & GroupAndOther) != 0 && entry.FullName != readableFile)
            {
                entry.UnixFileMode &= ~GroupAndOther;
            }
        }
    }

    /// <summary>Creates <paramref name="path"/> (and missing parents) 0700, or makes an existing folder 0700; returns its full path.</summary>
    public static string CreateFolder(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(full);
            return full;
        }

        var folder = Directory.CreateDirectory(full, PrivateFolder);
        if (folder.UnixFileMode != PrivateFolder)
        {
            folder.UnixFileMode = PrivateFolder;
        }

        return full;
    }

    /// <summary>Opens <paramref name="path"/> as <paramref name="mode"/> says, creating it 0600 when it does not exist.</summary>
    public static FileStream OpenFile(string path, FileMode mode, FileAccess access, FileShare share = FileShare.Read)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFile;
        }

        return new FileStream(path, options);
    }

    /// <summary>Creates <paramref name="path"/> empty and 0600 unless it exists, e.g. a database file before SQLite opens it and gives its journals the same mode.</summary>
    public static void EnsureFile(string path)
    {
        using var _ = OpenFile(path, FileMode.OpenOrCreate, FileAccess.Write);
    }
}
