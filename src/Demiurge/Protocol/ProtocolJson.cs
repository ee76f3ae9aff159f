using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Demiurge.Protocol;

/// <summary>How both sides write and read the bodies of their calls to each other.</summary>
internal static class ProtocolJson
{
    /// <summary>
    /// The API's snake_case, read strictly where it matters (required fields must be there and
    /// not null) but tolerant of fields the other side may add later. Null fields are left out
    /// of what is sent: an absent <c>gateway_state</c> keeps the stored one. Dictionary keys are
    /// project ids, which are data, so no naming policy touches them.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary><paramref name="body"/> as a request body.</summary>
    public static JsonContent Content<T>(T body) => JsonContent.Create(body, options: Options);

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions();
        Demiurge.Api.ApiJson.Configure(options);
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
