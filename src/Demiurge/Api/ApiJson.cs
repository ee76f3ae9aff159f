using System.Text.Json;
using System.Text.Json.Serialization;

namespace Demiurge.Api;

/// <summary>The JSON every HTTP API of ours speaks: the control plane's, the gateway's and the protocol between them.</summary>
internal static class ApiJson
{
    /// <summary>Largest JSON body the API reads; bigger ones get 413 before they are parsed.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    /// <summary>snake_case names and enums, and unknown fields refused.</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
    }
}
