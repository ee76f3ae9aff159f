using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Demiurge.Cli;

/// <summary>Sends one API request for a command and prints the answer, or the problem.</summary>
internal static class ApiClient
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    public static async Task<int> SendAsync(ParseResult parseResult, HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var server = parseResult.GetValue<Uri>(ClientOptions.ServerName)!;
        var token = parseResult.GetValue<string>(ClientOptions.TokenName) ?? Environment.GetEnvironmentVariable(ClientOptions.TokenVariable);
        var json = parseResult.GetValue<string>(ClientOptions.OutputName) == ClientOptions.JsonOutput;
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;

        // A base address without a trailing slash would drop its last path segment.
        var baseAddress = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = s_timeout };
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
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"error: {server} did not answer within {s_timeout.TotalSeconds:0} seconds.");
            return ExitCodes.Unavailable;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var answer = TryParse(text);
            if (!response.IsSuccessStatusCode)
            {
                await error.WriteLineAsync(DescribeProblem((int)response.StatusCode, answer, text));
                return ExitCodes.Failed;
            }

            if (answer is null && text.Length > 0)
            {
                await error.WriteLineAsync($"error: {server} answered with something that is not JSON; is it a Demiurge control plane?");
                return ExitCodes.Failed;
            }

            if (answer is { } element)
            {
                await output.WriteLineAsync(json ? JsonSerializer.Serialize(element, s_indented) : TableWriter.Format(element));
            }

            return ExitCodes.Success;
        }
    }

    private static JsonElement? TryParse(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string DescribeProblem(int status, JsonElement? problem, string text)
    {
        if (problem is not { ValueKind: JsonValueKind.Object } p)
        {
            var excerpt = text.Length > 200 ? text[..200] + "..." : text;
            return $"error: HTTP {status}{(excerpt.Length > 0 ? ": " + excerpt.Trim() : string.Empty)}";
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
                var fieldErrors = field.Value.ValueKind == JsonValueKind.Array ? field.Value.EnumerateArray().ToList() : [field.Value];
                foreach (var fieldError in fieldErrors)
                {
                    var fieldMessage = fieldError.ValueKind == JsonValueKind.String ? fieldError.GetString() : fieldError.GetRawText();
                    message += $"{Environment.NewLine}  {field.Name}: {fieldMessage}";
                }
            }
        }

        return message;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
