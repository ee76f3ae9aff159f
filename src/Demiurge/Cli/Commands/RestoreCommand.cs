using System.CommandLine;
using Demiurge.Store.Backups;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge restore</c>: a backup into an empty data directory or PostgreSQL database.</summary>
internal static class RestoreCommand
{
    private static readonly Option<string> s_input = new("--input", "-i")
    {
        Description = "The backup file written by 'demiurge backup'.",
        Required = true,
    };

    private static readonly Option<bool> s_force = new("--force")
    {
        Description = "Replace the store (and master key) of a data directory or database that is not empty. Stop the platform first.",
    };

    public static Command Create()
    {
        var command = new Command("restore", "Restore a backup into a new data directory (SQLite) or an empty PostgreSQL database; refuses a non-empty one without --force.")
        {
            s_input,
            s_force,
        };
        return SettingFlags.With(command, StoreCommandOptions.All, (flags, parseResult, cancellationToken) =>
            RunAsync(flags, parseResult.GetValue(s_input)!, parseResult.GetValue(s_force), parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken));
    }

    private static Task<int> RunAsync(Dictionary<string, string?> flags, string input, bool force, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        StoreCommandOptions.RunAsync(flags, "Restore", output, error, async options =>
        {
            var manifest = await StoreBackup.RestoreAsync(options.DataDir, options.Store, input, force, cancellationToken);
            return $"Restored the {manifest.Store} store{(manifest.MasterKey ? " and the master key" : string.Empty)} taken at {manifest.CreatedAt:u} into {Path.GetFullPath(options.DataDir)}.";
        });
}
