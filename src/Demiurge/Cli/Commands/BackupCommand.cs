using System.CommandLine;
using Demiurge.Hosting;
using Demiurge.Store;
using Demiurge.Store.Backups;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge backup</c>: a consistent snapshot of the store and the master key, taken while the platform runs.</summary>
internal static class BackupCommand
{
    private static readonly IReadOnlyList<Setting> s_settings = [Settings.DataDir, .. StoreSettings.All];

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
        return SettingFlags.With(command, s_settings, (flags, parseResult, cancellationToken) =>
            RunAsync(flags, parseResult.GetValue(s_output)!, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken));
    }

    private static async Task<int> RunAsync(Dictionary<string, string?> flags, string output, TextWriter stdout, TextWriter error, CancellationToken cancellationToken)
    {
        if (StoreCommandOptions.Read(flags, error) is not { } options)
        {
            return ExitCodes.InvalidConfiguration;
        }

        try
        {
            var manifest = await StoreBackup.BackupAsync(options, output, TimeProvider.System, cancellationToken);
            await stdout.WriteLineAsync($"Backed up the {manifest.Store} store{(manifest.MasterKey ? " and the master key" : string.Empty)} to {Path.GetFullPath(output)}.");
            return ExitCodes.Success;
        }
        catch (Exception exception) when (exception is BackupException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"Backup failed: {exception.Message}");
            return ExitCodes.Failed;
        }
    }
}
