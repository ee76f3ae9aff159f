using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Demiurge.Tests.Security;

/// <summary>One fuzzed request: what to send, and which mutation made it (to reproduce a failure from the seed).</summary>
internal sealed record FuzzCase(int Index, string Caller, string Operation, string Method, string Path, byte[]? Body, string? ContentType, string Mutation)
{
    public HttpRequestMessage ToRequest()
    {
        var request = new HttpRequestMessage(new HttpMethod(Method), new Uri(Path, UriKind.Relative));
        if (Body is not null)
        {
            request.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        return request;
    }

    public override string ToString() => $"#{Index} {Caller} {Method} {Path[..Math.Min(120, Path.Length)]} [{Mutation}]";
}

/// <summary>
/// Generates invalid requests for the API's operations from their OpenAPI schemas, reproducibly
/// from a seed: wrong types, missing and unknown fields, huge strings, deep nesting, invalid UTF-8,
/// wrong content types, unparsable bodies, bad path ids and bad query values. Every request it makes
/// is invalid by construction, so each must be refused with a 4xx problem and write nothing.
/// Shared with bench/Demiurge.Bench (<c>http-fuzz</c>) for the longer run.
/// </summary>
internal sealed class HttpFuzzer
{
    /// <summary>Bigger than the API reads (64 KiB): refused with 413 before it is parsed.</summary>
    public const int HugeStringLength = 70_000;

    private static readonly string[] s_badIds =
    [
        "x", "0", "-1", "null", "undefined", "..", "%2e%2e", "%00", "%FF%FE", "%C3%28", "'%20OR%20'1'%3D'1", "00000000-0000-0000-0000-000000000000",
        "%F0%9F%98%80", "%E2%80%AE", "a%2Fb", "%20", new string('9', 5000), "{id}", "%25", "1e400",
    ];

    private static readonly string[] s_wrongContentTypes =
    [
        "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream", "text/json; charset=utf-16",
    ];

    private static readonly string[] s_brokenBodies =
    [
        "", "{", "}", "[", "null", "[]", "0", "\"text\"", "true", "{\"a\":}", "{'single':'quotes'}", "{\"a\":1,}", "{\"a\" 1}", "\u0000", "{\"a\":\"\\uD800\"", "/* comment */ {}",
    ];

    private readonly Random _random;
    private readonly IReadOnlyList<ApiOperation> _operations;
    private readonly IReadOnlyDictionary<string, string> _pathValues;
    private readonly IReadOnlyList<string> _callers;
    private int _index;

    /// <param name="operations">The operations to fuzz: those that read a body, a path or a query.</param>
    /// <param name="pathValues">A valid value per path parameter name (the organization's own objects).</param>
    /// <param name="callers">Who sends the requests, picked at random; the first is picked most.</param>
    /// <param name="seed">The same seed gives the same requests.</param>
    public HttpFuzzer(IEnumerable<ApiOperation> operations, IReadOnlyDictionary<string, string> pathValues, IReadOnlyList<string> callers, int seed)
    {
        _operations = [.. operations.Where(o => o.BodySchema is not null || o.PathParameters.Any() || o.QueryParameters.Count > 0)];
        _pathValues = pathValues;
        _callers = callers;
        _random = new Random(seed);
    }

    public IReadOnlyList<ApiOperation> Operations => _operations;

    /// <summary>
    /// Whether an answer refuses the request as it must: a 4xx problem. The one exception is a NUL
    /// in the path (<c>%00</c>): Kestrel refuses the request line itself with a bare 400 before any
    /// middleware runs, so no problem can be written.
    /// </summary>
    public static bool IsRefusal(FuzzCase fuzzCase, int status, string? mediaType, string body) =>
        fuzzCase.Path.Split('?')[0].Contains("%00", StringComparison.Ordinal)
            ? status == 400 && body.Length == 0
            : status is >= 400 and < 500 && mediaType == "application/problem+json";

    public FuzzCase Next()
    {
        var operation = _operations[_random.Next(_operations.Count)];
        var caller = _random.Next(10) < 7 ? _callers[0] : _callers[_random.Next(_callers.Count)];
        var choices = new List<Func<ApiOperation, (string Path, byte[]? Body, string? ContentType, string Mutation)>>();
        if (operation.BodySchema is not null)
        {
            choices.AddRange([WrongType, MissingField, UnknownField, HugeString, DeepNesting, InvalidUtf8, WrongContentType, BrokenBody]);
        }

        if (operation.PathParameters.Any())
        {
            choices.Add(BadPathId);
        }

        if (operation.QueryParameters.Count > 0)
        {
            choices.Add(BadQuery);
        }

        var (path, body, contentType, mutation) = choices[_random.Next(choices.Count)](operation);
        return new FuzzCase(_index++, caller, operation.Key, operation.Method, path, body, contentType, mutation);
    }

    private (string, byte[]?, string?, string) WrongType(ApiOperation operation)
    {
        var body = Example(operation.BodySchema!.Value);
        var typed = Properties(operation.BodySchema.Value).Where(p => Types(p.Value).Count > 0).ToList();
        if (typed.Count == 0)
        {
            return BrokenBody(operation);
        }

        var (name, schema) = typed[_random.Next(typed.Count)];
        var wrong = WrongValues(Types(schema));
        body[name] = wrong[_random.Next(wrong.Count)];
        return (ValidPath(operation), Utf8(body), "application/json", $"wrong type: {name}={body[name]?.ToJsonString() ?? "null"}");
    }

    private (string, byte[]?, string?, string) MissingField(ApiOperation operation)
    {
        var body = Example(operation.BodySchema!.Value);
        var required = Required(operation.BodySchema.Value);
        if (required.Count == 0)
        {
            // Nothing is required: an empty object is still not a request (a PATCH with nothing to change).
            return (ValidPath(operation), "{}"u8.ToArray(), "application/json", "empty object");
        }

        var name = required[_random.Next(required.Count)];
        body.Remove(name);
        return (ValidPath(operation), Utf8(body), "application/json", $"missing: {name}");
    }

    private (string, byte[]?, string?, string) UnknownField(ApiOperation operation)
    {
        var body = Example(operation.BodySchema!.Value);
        var name = _random.Next(3) switch { 0 => "is_admin", 1 => "__proto__", _ => "x" + _random.Next(1000) };
        body[name] = _random.Next(2) == 0 ? JsonValue.Create(true) : JsonValue.Create("owner");
        return (ValidPath(operation), Utf8(body), "application/json", $"unknown field: {name}");
    }

    private (string, byte[]?, string?, string) HugeString(ApiOperation operation)
    {
        var body = Example(operation.BodySchema!.Value);
        var name = Properties(operation.BodySchema.Value).Select(p => p.Name).DefaultIfEmpty("name").ElementAt(0);
        body[name] = new string((char)('a' + _random.Next(26)), HugeStringLength);
        return (ValidPath(operation), Utf8(body), "application/json", $"huge string: {name}");
    }

    private (string, byte[]?, string?, string) DeepNesting(ApiOperation operation)
    {
        var depth = _random.Next(65, 20_000);
        var (open, close) = _random.Next(2) == 0 ? ("[", "]") : ("{\"a\":", "}");
        var text = new StringBuilder("{\"").Append(FirstProperty(operation)).Append("\":");
        text.Insert(text.Length, open, depth).Append('1').Insert(text.Length, close, depth).Append('}');
        return (ValidPath(operation), Encoding.UTF8.GetBytes(text.ToString()), "application/json", $"nesting {depth}");
    }

    private (string, byte[]?, string?, string) InvalidUtf8(ApiOperation operation)
    {
        byte[][] invalid = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xC0, 0xAF]];
        var bytes = invalid[_random.Next(invalid.Length)];
        var prefix = Encoding.UTF8.GetBytes($"{{\"{FirstProperty(operation)}\":\"ab");
        return (ValidPath(operation), [.. prefix, .. bytes, .. "\"}"u8], "application/json", $"invalid UTF-8 {Convert.ToHexString(bytes)}");
    }

    private (string, byte[]?, string?, string) WrongContentType(ApiOperation operation)
    {
        // The body is as valid as the example can make it: only the media type is wrong.
        var contentType = _random.Next(s_wrongContentTypes.Length + 1) is var pick && pick < s_wrongContentTypes.Length ? s_wrongContentTypes[pick] : null;
        return (ValidPath(operation), Utf8(Example(operation.BodySchema!.Value)), contentType, $"content type {contentType ?? "(none)"}");
    }

    private (string, byte[]?, string?, string) BrokenBody(ApiOperation operation)
    {
        if (_random.Next(4) == 0)
        {
            var noise = new byte[_random.Next(1, 512)];
            _random.NextBytes(noise);
            return (ValidPath(operation), noise, "application/json", "random bytes");
        }

        var text = s_brokenBodies[_random.Next(s_brokenBodies.Length)];
        return (ValidPath(operation), Encoding.UTF8.GetBytes(text), "application/json", $"body {JsonSerializer.Serialize(text)}");
    }

    private (string, byte[]?, string?, string) BadPathId(ApiOperation operation)
    {
        var parameters = operation.PathParameters.ToList();
        var bad = parameters[_random.Next(parameters.Count)];
        var badValue = _random.Next(4) == 0 && _pathValues.TryGetValue(bad, out var valid) ? valid + s_badIds[_random.Next(s_badIds.Length)] : s_badIds[_random.Next(s_badIds.Length)];
        var path = operation.Path;
        foreach (var parameter in parameters)
        {
            path = path.Replace("{" + parameter + "}", parameter == bad ? badValue : Uri.EscapeDataString(_pathValues[parameter]), StringComparison.Ordinal);
        }

        var body = operation.BodySchema is { } schema ? Utf8(Example(schema)) : null;
        return (path, body, body is null ? null : "application/json", $"bad {bad}: {badValue[..Math.Min(40, badValue.Length)]}");
    }

    private (string, byte[]?, string?, string) BadQuery(ApiOperation operation)
    {
        // Wrong for every query parameter the API has (whole numbers and booleans): "true" is not here, since it is a valid boolean.
        string[] values = ["abc", "-5", "1e400", "99999999999999999999", "", "%00", "%FF", "1.5"];
        var parameter = operation.QueryParameters[_random.Next(operation.QueryParameters.Count)];
        var value = values[_random.Next(values.Length)];
        return ($"{ValidPath(operation)}?{parameter}={value}", null, null, $"query {parameter}={value}");
    }

    private string ValidPath(ApiOperation operation)
    {
        var path = operation.Path;
        foreach (var parameter in operation.PathParameters)
        {
            path = path.Replace("{" + parameter + "}", Uri.EscapeDataString(_pathValues[parameter]), StringComparison.Ordinal);
        }

        return path;
    }

    /// <summary>A body with a plausible value for every property, from the schema; the mutation then makes it invalid.</summary>
    private JsonObject Example(JsonElement schema)
    {
        var body = new JsonObject();
        foreach (var (name, property) in Properties(schema))
        {
            var types = Types(property);
            body[name] = types.Contains("integer") || types.Contains("number") ? JsonValue.Create(_random.Next(100))
                : types.Contains("boolean") ? JsonValue.Create(true)
                : types.Contains("object") ? new JsonObject()
                : types.Contains("array") ? new JsonArray()
                : JsonValue.Create("v" + _random.Next(1000));
        }

        return body;
    }

    private List<JsonNode> WrongValues(IReadOnlyCollection<string> types)
    {
        var values = new List<JsonNode>();
        if (!types.Contains("string"))
        {
            values.Add(JsonValue.Create("text"));
        }

        if (!types.Contains("integer") && !types.Contains("number"))
        {
            values.Add(JsonValue.Create(_random.Next()));
        }
        else
        {
            values.Add(JsonNode.Parse("1e400")!);
            if (!types.Contains("number"))
            {
                values.Add(JsonValue.Create(1.5));
            }
        }

        if (!types.Contains("boolean"))
        {
            values.Add(JsonValue.Create(false));
        }

        if (!types.Contains("object"))
        {
            values.Add(new JsonObject { ["a"] = 1 });
        }

        if (!types.Contains("array"))
        {
            values.Add(new JsonArray(1, 2));
        }

        return values;
    }

    private static string FirstProperty(ApiOperation operation) =>
        operation.BodySchema is { } schema ? Properties(schema).Select(p => p.Name).DefaultIfEmpty("name").First() : "name";

    private static IEnumerable<(string Name, JsonElement Value)> Properties(JsonElement schema) =>
        schema.TryGetProperty("properties", out var properties) ? properties.EnumerateObject().Select(p => (p.Name, p.Value)) : [];

    private static List<string> Required(JsonElement schema) =>
        schema.TryGetProperty("required", out var required) ? [.. required.EnumerateArray().Select(r => r.GetString()!)] : [];

    /// <summary>The JSON types a property allows (<c>"type": "string"</c> or <c>["null", "string"]</c>); none for a free-form value.</summary>
    private static HashSet<string> Types(JsonElement schema) => schema.TryGetProperty("type", out var type)
        ? type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!)] : [type.GetString()!]
        : [];

    private static byte[] Utf8(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());
}
