using System.CommandLine;
using Demiurge.Cli.Commands;

namespace Demiurge.Cli;

internal static class DemiurgeCli
{
    public static RootCommand Build() => new("Demiurge: organizations, their gateways, and the apps they run.")
    {
        ServeCommand.Create("up", "Run everything on this machine with embedded defaults (SQLite), until Ctrl-C."),
        ServeCommand.Create("controlplane", "Run the control-plane API against the configured backends."),
        DnsCommand.Create(),
        EdgeCommand.Create(),
        GatewayCommand.Create(),
        OrgCommand.Create(),
        ProjectCommand.Create(),
        UserCommand.Create(),
        TokenCommand.Create(),
        SecretsCommand.Create(),
        PoolCommand.Create(),
        ProbeCommand.Create(),
        BackupCommand.Create(),
        RestoreCommand.Create(),
    };

    /// <summary>
    /// Runs the command line. Ctrl-C and SIGTERM are left to the host's own lifetime, which
    /// stops servers gracefully, so System.CommandLine's termination handling is off.
    /// </summary>
    public static Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null };
        if (output is not null)
        {
            configuration.Output = output;
        }

        if (error is not null)
        {
            configuration.Error = error;
        }

        return InvokeAsync(Build().Parse(args), configuration);
    }

    private static async Task<int> InvokeAsync(ParseResult parseResult, InvocationConfiguration configuration)
    {
        var exitCode = await parseResult.InvokeAsync(configuration);
        return parseResult.Errors.Count > 0 ? ExitCodes.Usage : exitCode;
    }
}
