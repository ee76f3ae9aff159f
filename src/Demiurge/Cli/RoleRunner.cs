using Demiurge.Hosting;

namespace Demiurge.Cli;

/// <summary>
/// How every serving command runs its role: build it (exit 78 on invalid settings), start it
/// (exit 69 when it cannot listen), print its summary, and serve until Ctrl-C or SIGTERM.
/// </summary>
internal static class RoleRunner
{
    /// <param name="name">How the role names itself: "Demiurge up", "Demiurge DNS", ...</param>
    /// <param name="create">Builds the role.</param>
    /// <param name="summary">What an operator needs once it runs: addresses, the admin token.</param>
    /// <param name="output">Standard output: the summary, nothing else.</param>
    /// <param name="error">Standard error: why the role could not start.</param>
    /// <param name="cancellationToken">Stops a start that takes too long.</param>
    public static async Task<int> RunAsync(string name, Func<RoleHost> create, Func<RoleHost, string> summary, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        RoleHost host;
        try
        {
            host = create();
        }
        catch (ConfigurationException exception)
        {
            await error.WriteLineAsync(exception.Message);
            return ExitCodes.InvalidConfiguration;
        }

        await using (host)
        {
            try
            {
                await host.StartAsync(cancellationToken);
            }
            catch (IOException exception)
            {
                await error.WriteLineAsync($"Cannot start: {exception.Message}");
                return ExitCodes.Unavailable;
            }

            await output.WriteLineAsync($"{name} is running.{Environment.NewLine}{summary(host).TrimEnd()}{Environment.NewLine}Press Ctrl-C to stop.");
            await output.FlushAsync(CancellationToken.None);
            await host.WaitForShutdownAsync(CancellationToken.None);
        }

        await output.WriteLineAsync($"{name} stopped.");
        return ExitCodes.Success;
    }
}
