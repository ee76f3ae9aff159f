using System.Text.Json;

namespace Demiurge.Tests.Security;

/// <summary>One operation of the live OpenAPI document: its method, path template, request body schema (resolved) if any, and query parameters.</summary>
internal sealed record ApiOperation(string Method, string Path, JsonElement? BodySchema, IReadOnlyList<string> QueryParameters)
{
    /// <summary>The key the permission table uses: <c>"PATCH /orgs/{organization_id}"</c>.</summary>
    public string Key => $"{Method} {Path}";

    public IEnumerable<string> PathParameters => System.Text.RegularExpressions.Regex.Matches(Path, "{([^}]+)}").Select(m => m.Groups[1].Value);

    /// <summary>Every operation of <c>/openapi/v1.json</c>, with request body schemas' <c>$ref</c>s resolved against its components.</summary>
    public static async Task<IReadOnlyList<ApiOperation>> ReadAsync(HttpClient client)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var root = document.RootElement.Clone();
        var operations = new List<ApiOperation>();
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete"))
            {
                JsonElement? schema = operation.Value.TryGetProperty("requestBody", out var body)
                    && body.GetProperty("content").TryGetProperty("application/json", out var json)
                    && json.TryGetProperty("schema", out var found)
                        ? Resolve(root, found)
                        : null;
                IReadOnlyList<string> query = operation.Value.TryGetProperty("parameters", out var parameters)
                    ? [.. parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!)]
                    : [];
                operations.Add(new ApiOperation(operation.Name.ToUpperInvariant(), path.Name, schema, query));
            }
        }

        return operations;
    }

    /// <summary>Follows a <c>$ref</c> into <c>components/schemas</c>; other schemas come back as they are.</summary>
    public static JsonElement Resolve(JsonElement root, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference) && reference.GetString() is { } name && name.StartsWith("#/components/schemas/", StringComparison.Ordinal)
            ? Resolve(root, root.GetProperty("components").GetProperty("schemas").GetProperty(name["#/components/schemas/".Length..]))
            : schema;
}
