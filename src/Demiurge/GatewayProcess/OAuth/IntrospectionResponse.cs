using System.Text.Json.Serialization;

namespace Demiurge.GatewayProcess.OAuth;

/// <summary>
/// Answer of <c>POST /oauth/authenticate</c> in the shape of RFC 7662: an inactive token is just
/// <c>{"active": false}</c>, with nothing said about why. <see cref="Exp"/> is in seconds since the epoch.
/// </summary>
internal sealed record IntrospectionResponse(
    bool Active,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Username = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Exp = null)
{
    public static readonly IntrospectionResponse Inactive = new(false);
}
