using System.CommandLine;
using System.CommandLine.Parsing;

namespace Demiurge.Cli;

/// <summary>
/// Options shared by the commands that talk to the API. Each command tree gets its own
/// instances (symbols are mutable and must not be shared); handlers read them by name.
/// </summary>
internal static class ClientOptions
{
    public const string ServerVariable = "DEMIURGE_SERVER";
    public const string TokenVariable = "DEMIURGE_TOKEN";
    public const string DefaultServer = "http://127.0.0.1:5080";
    public const string ServerName = "--server";
    public const string TokenName = "--token";
    public const string OutputName = "--output";
    public const string JsonOutput = "json";
    public const string TableOutput = "table";

    /// <summary>Adds the client options to a command group; its subcommands inherit them.</summary>
    public static Command WithClientOptions(this Command command)
    {
        command.Options.Add(new Option<Uri>(ServerName)
        {
            Description = $"Control-plane URL [env: {ServerVariable}]",
            Recursive = true,
            DefaultValueFactory = result => ParseServer(result, Environment.GetEnvironmentVariable(ServerVariable) ?? DefaultServer, ServerVariable),
            CustomParser = result => ParseServer(result, result.Tokens[0].Value, ServerName),
        });
        // No default value here: help would print it, and it is a secret. See ApiClient.
        command.Options.Add(new Option<string>(TokenName) { Description = $"Bearer token [env: {TokenVariable}]", Recursive = true });
        var output = new Option<string>(OutputName, "-o")
        {
            Description = "Output format",
            Recursive = true,
            DefaultValueFactory = _ => TableOutput,
        };
        output.AcceptOnlyFromAmong(TableOutput, JsonOutput);
        command.Options.Add(output);
        return command;
    }

    private static Uri ParseServer(ArgumentResult result, string value, string source)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }

        result.AddError($"{source} '{value}' is not an http(s) URL.");
        return new Uri(DefaultServer);
    }
}
