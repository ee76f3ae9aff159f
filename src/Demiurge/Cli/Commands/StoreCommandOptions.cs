using Demiurge.Hosting;
using Demiurge.Store;
using Demiurge.Store.Backups;

namespace Demiurge.Cli.Commands;

/// <summary>The validated settings of a command that works on the store without serving (backup, restore), and how it runs.</summary>
internal static class StoreCommandOptions
{
    /// <summary>The settings such a command takes: the data dir and the store's.</summary>
    public static readonly IReadOnlyList<Setting> All = [Settings.DataDir, .. StoreSettings.All];

    /// <summary>
    /// Reads the settings, runs <paramref name="action"/> and prints the summary it returns, or
    /// why the settings or the action (<paramref name="verb"/>) failed.
    /// </summary>
    public static async Task<int> RunAsync(Dictionary<string, string?> flags, string verb, TextWriter output, TextWriter error, Func<DemiurgeOptions, Task<string>> action)
    {
        if (Read(flags, error) is not { } options)
        {
            return ExitCodes.InvalidConfiguration;
        }

        try
        {
            await output.WriteLineAsync(await action(options));
            return ExitCodes.Success;
        }
        catch (Exception exception) when (exception is BackupException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"{verb} failed: {exception.Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>The settings from appsettings.json, <c>DEMIURGE_*</c> and <paramref name="flags"/>; null after printing every problem.</summary>
    public static DemiurgeOptions? Read(Dictionary<string, string?> flags, TextWriter error)
    {
        var builder = RoleHost.CreateBuilder();
        try
        {
            builder.AddDemiurgeSettings(flags);
        }
        catch (ConfigurationException exception)
        {
            error.WriteLine(exception.Message);
            return null;
        }

        return builder.Configuration.GetSection(DemiurgeOptions.SectionName).Get<DemiurgeOptions>() ?? new DemiurgeOptions();
    }
}
