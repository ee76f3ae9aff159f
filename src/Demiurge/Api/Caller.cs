using System.Security.Claims;

namespace Demiurge.Api;

/// <summary>
/// The authenticated user behind a request. Through an API key, <see cref="KeyId"/> names the
/// key, <see cref="KeyOrganizationId"/> the one organization it is limited to, if any, and
/// <see cref="IsAdmin"/> holds only when the key has the admin scope.
/// </summary>
internal sealed record Caller(string UserId, string Username, bool IsAdmin)
{
    public const string AdminClaim = "demiurge:admin";
    public const string KeyClaim = "demiurge:api_key";
    public const string KeyOrganizationClaim = "demiurge:api_key_organization";

    public string? KeyId { get; init; }

    public string? KeyOrganizationId { get; init; }

    public static Caller From(ClaimsPrincipal principal) => new(
        principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The request is not authenticated."),
        principal.FindFirstValue(ClaimTypes.Name) ?? string.Empty,
        principal.HasClaim(AdminClaim, "true"))
    {
        KeyId = principal.FindFirstValue(KeyClaim),
        KeyOrganizationId = principal.FindFirstValue(KeyOrganizationClaim),
    };

    public ClaimsPrincipal ToPrincipal(string scheme)
    {
        List<Claim> claims =
        [
            new Claim(ClaimTypes.NameIdentifier, UserId),
            new Claim(ClaimTypes.Name, Username),
            new Claim(AdminClaim, IsAdmin ? "true" : "false"),
        ];
        if (KeyId is not null)
        {
            claims.Add(new Claim(KeyClaim, KeyId));
        }

        if (KeyOrganizationId is not null)
        {
            claims.Add(new Claim(KeyOrganizationClaim, KeyOrganizationId));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}
