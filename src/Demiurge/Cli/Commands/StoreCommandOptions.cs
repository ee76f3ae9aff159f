using Demiurge.Hosting;

namespace Demiurge.Cli.Commands;

/// <summary>The validated settings of a command that works on the store without serving (backup, restore).</summary>
internal static class StoreCommandOptions
{
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
