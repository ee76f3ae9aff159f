using System.CommandLine;
using Demiurge.Hosting;

namespace Demiurge.Cli;

/// <summary>The flags of a serving command, one per row of the settings table it reads.</summary>
internal static class SettingFlags
{
    /// <summary>
    /// Gives <paramref name="command"/> a flag per setting in <paramref name="settings"/>, and runs
    /// <paramref name="run"/> with the flags given, by configuration key.
    /// </summary>
    public static Command With(Command command, IReadOnlyList<Setting> settings, Func<Dictionary<string, string?>, ParseResult, CancellationToken, Task<int>> run)
    {
        var options = settings.ToDictionary(
            s => s,
            s => new Option<string>(s.Flag) { Description = $"{s.Description} [env: {s.EnvironmentVariable}]" });
        foreach (var option in options.Values)
        {
            command.Options.Add(option);
        }

        command.SetAction((parseResult, cancellationToken) =>
        {
            var flags = options
                .Where(o => parseResult.GetResult(o.Value) is not null)
                .ToDictionary(o => o.Key.ConfigurationKey, o => (string?)parseResult.GetValue(o.Value));
            return run(flags, parseResult, cancellationToken);
        });
        return command;
    }
}
