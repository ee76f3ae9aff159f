using System.CommandLine;

namespace Demiurge.Cli;

/// <summary>Options shared by the commands that talk to the API.</summary>
internal static class ClientOptions
{
    public const string ServerVariable = "DEMIURGE_SERVER";
    public const string TokenVariable = "DEMIURGE_TOKEN";
    public const string DefaultServer = "http://127.0.0.1:5080";

    public static readonly Option<Uri> Server = new("--server")
    {
        Description = $"Control-plane URL [env: {ServerVariable}] [default: {DefaultServer}]",
        Recursive = true,
        DefaultValueFactory = result => ParseServer(result, Environment.GetEnvironmentVariable(ServerVariable) ?? DefaultServer, ServerVariable),
        CustomParser = result => ParseServer(result, result.Tokens[0].Value, "--server"),
    };

    public static readonly Option<string> Token = new("--token")
    {
        Description = $"Bearer token [env: {TokenVariable}]",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(TokenVariable) ?? string.Empty,
    };

    public static readonly Option<OutputFormat> Output = new("--output", "-o")
    {
        Description = "Output format",
        Recursive = true,
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    private static Uri ParseServer(System.CommandLine.Parsing.ArgumentResult result, string value, string source)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }

        result.AddError($"{source} '{value}' is not an http(s) URL.");
        return new Uri(DefaultServer);
    }

    /// <summary>Adds the client options to a command group; its subcommands inherit them.</summary>
    public static Command WithClientOptions(this Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(Token);
        command.Options.Add(Output);
        return command;
    }
}

internal enum OutputFormat
{
    Table,
    Json,
}
