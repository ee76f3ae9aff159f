using System.CommandLine;

namespace Demiurge.Cli.Commands;

/// <summary>
/// <c>demiurge probe URL</c>: exits 0 when the URL answers 2xx within a few seconds, 1 otherwise.
/// It is the gateway container's health check, as the image has no shell and no curl.
/// </summary>
internal static class ProbeCommand
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(3);

    public static Command Create()
    {
        var url = new Argument<string>("url") { Description = "An http:// URL, e.g. http://127.0.0.1:7100/collab/ping" };
        url.Validators.Add(result =>
        {
            if (Parse(result.GetValueOrDefault<string>()) is null)
            {
                result.AddError("The URL must be an absolute http:// or https:// URL.");
            }
        });
        var command = new Command("probe", "Exit 0 when a URL answers 2xx within 3 s, else 1 (container health checks).") { url };
        command.SetAction((parseResult, cancellationToken) => ProbeAsync(Parse(parseResult.GetValue(url))!, parseResult.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    private static Uri? Parse(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    private static async Task<int> ProbeAsync(Uri url, TextWriter error, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = s_timeout };
        try
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return ExitCodes.Success;
            }

            await error.WriteLineAsync($"{url} answered {(int)response.StatusCode}.");
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            await error.WriteLineAsync($"{url} did not answer: {exception.Message}");
        }

        return ExitCodes.Failed;
    }
}
