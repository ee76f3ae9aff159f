using System.Security.Claims;

namespace Demiurge.Identity;

/// <summary>The authenticated user behind a request.</summary>
internal sealed record Caller(string UserId, string Username, bool IsAdmin)
{
    public const string AdminClaim = "demiurge:admin";

    public static Caller From(ClaimsPrincipal principal) => new(
        principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The request is not authenticated."),
        principal.FindFirstValue(ClaimTypes.Name) ?? string.Empty,
        principal.HasClaim(AdminClaim, "true"));

    public ClaimsPrincipal ToPrincipal(string scheme) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, UserId),
            new Claim(ClaimTypes.Name, Username),
            new Claim(AdminClaim, IsAdmin ? "true" : "false"),
        ],
        scheme));
}
