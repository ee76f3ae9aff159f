using System.CommandLine;
using Demiurge.Store.Backups;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge backup</c>: a consistent snapshot of the store and the master key, taken while the platform runs.</summary>
internal static class BackupCommand
{
    private static readonly Option<string> s_output = new("--output", "-o")
    {
        Description = "The backup file to write (0600; replaced if it exists).",
        Required = true,
    };

    public static Command Create()
    {
        var command = new Command("backup", "Write a consistent snapshot of the store (SQLite's online backup, or pg_dump) and the data dir's master key to one file, while the platform runs.")
        {
            s_output,
        };
        return SettingFlags.With(command, StoreCommandOptions.All, (flags, parseResult, cancellationToken) =>
            RunAsync(flags, parseResult.GetValue(s_output)!, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken));
    }

    private static Task<int> RunAsync(Dictionary<string, string?> flags, string output, TextWriter stdout, TextWriter error, CancellationToken cancellationToken) =>
        StoreCommandOptions.RunAsync(flags, "Backup", stdout, error, async options =>
        {
            var manifest = await StoreBackup.BackupAsync(options.DataDir, options.Store, output, TimeProvider.System, cancellationToken);
            return $"Backed up the {manifest.Store} store{(manifest.MasterKey ? " and the master key" : string.Empty)} to {Path.GetFullPath(output)}.";
        });
}
