using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Demiurge.Cli;

/// <summary>Sends one API request for a command and prints the answer, or the problem.</summary>
internal static class ApiClient
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public static async Task<int> SendAsync(ParseResult parseResult, HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var server = parseResult.GetValue(ClientOptions.Server)!;
        var token = parseResult.GetValue(ClientOptions.Token);
        var format = parseResult.GetValue(ClientOptions.Output);
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;

        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            await error.WriteLineAsync($"error: cannot reach {server}: {exception.Message}. Is 'demiurge up' running? Set --server or {ClientOptions.ServerVariable}.");
            return ExitCodes.Unavailable;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            using var document = text.Length == 0 ? null : JsonDocument.Parse(text);
            if (!response.IsSuccessStatusCode)
            {
                await error.WriteLineAsync(DescribeProblem((int)response.StatusCode, document?.RootElement));
                return ExitCodes.Failed;
            }

            if (document is not null)
            {
                await output.WriteLineAsync(format == OutputFormat.Json
                    ? JsonSerializer.Serialize(document.RootElement, s_indented)
                    : TableWriter.Format(document.RootElement));
            }

            return ExitCodes.Success;
        }
    }

    private static string DescribeProblem(int status, JsonElement? problem)
    {
        if (problem is not { ValueKind: JsonValueKind.Object } p)
        {
            return $"error: HTTP {status}";
        }

        var message = $"error: {Text(p, "title") ?? $"HTTP {status}"} ({status})";
        if (Text(p, "detail") is { } detail)
        {
            message += $": {detail}";
        }

        if (p.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in errors.EnumerateObject())
            {
                foreach (var fieldError in field.Value.EnumerateArray())
                {
                    message += $"{Environment.NewLine}  {field.Name}: {fieldError.GetString()}";
                }
            }
        }

        return message;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
