using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using Demiurge.GatewayProcess.OAuth;

namespace Demiurge.GatewayProcess;

/// <summary>
/// Reads and writes <see cref="GatewayStateDocument"/>. Reading is strict about the shape (a
/// field of the wrong type, a missing one or a hash that is not a SHA-256 refuses the whole
/// state, so that nothing half-read is served and then pushed over the original) and tolerant
/// of fields it does not know.
/// </summary>
internal static class GatewayStateJson
{
    private static readonly JsonSerializerOptions s_options = CreateOptions();

    public static JsonElement Write(GatewayStateDocument document) => JsonSerializer.SerializeToElement(document, s_options);

    /// <summary>
    /// The state pulled from the control plane; an empty document when there is none yet.
    /// False, with <paramref name="error"/> saying why, when it cannot be read.
    /// </summary>
    public static bool TryRead(JsonElement? state, [NotNullWhen(true)] out GatewayStateDocument? document, [NotNullWhen(false)] out string? error)
    {
        document = null;
        if (state is not { ValueKind: JsonValueKind.Object } value)
        {
            document = new GatewayStateDocument();
            error = null;
            return true;
        }

        GatewayStateDocument? read;
        try
        {
            read = value.Deserialize<GatewayStateDocument>(s_options);
        }
        catch (JsonException exception)
        {
            error = $"gateway_state is not in the shape this gateway writes: {exception.Message}";
            return false;
        }

        error = read is null ? "gateway_state is null." : ShapeError(read);
        if (read is null || error is not null)
        {
            error ??= "gateway_state is null.";
            return false;
        }

        document = read;
        return true;
    }

    private static string? ShapeError(GatewayStateDocument document)
    {
        if (document.Version is < 1 or > GatewayStateDocument.CurrentVersion)
        {
            return $"gateway_state has version {document.Version}; this gateway reads versions 1 to {GatewayStateDocument.CurrentVersion}.";
        }

        foreach (var member in document.Permissions?.Members ?? [])
        {
            if (member is null || string.IsNullOrEmpty(member.UserId))
            {
                return "gateway_state.permissions.members holds an entry without a user_id.";
            }
        }

        var oauth = document.OAuth ?? new OAuthState();
        foreach (var client in oauth.Clients ?? [])
        {
            if (client is null || string.IsNullOrEmpty(client.ClientId) || client.RedirectUris.Any(string.IsNullOrEmpty))
            {
                return "gateway_state.oauth.clients holds an entry without a client_id or with an empty redirect_uri.";
            }
        }

        if ((oauth.Codes ?? []).Any(c => c is null || !IsHash(c.CodeHash)))
        {
            return "gateway_state.oauth.codes holds an entry whose code_hash is not a SHA-256 (64 lower-case hex digits).";
        }

        foreach (var (name, tokens) in (ReadOnlySpan<(string, IReadOnlyList<IssuedToken>?)>)[("access_tokens", oauth.AccessTokens), ("refresh_tokens", oauth.RefreshTokens)])
        {
            if ((tokens ?? []).Any(t => t is null || !IsHash(t.TokenHash)))
            {
                return $"gateway_state.oauth.{name} holds an entry whose token_hash is not a SHA-256 (64 lower-case hex digits).";
            }
        }

        return (document.Containers ?? []).Any(c => c is null || string.IsNullOrEmpty(c.ContainerId) || !IsHash(c.TokenHash))
            ? "gateway_state.containers holds an entry without a container_id or whose token_hash is not a SHA-256."
            : null;
    }

    private static bool IsHash(string? value) => value is { Length: 64 } && value.All(char.IsAsciiHexDigitLower);

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions();
        Demiurge.Api.ApiJson.Configure(options);
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
