using System.Globalization;
using System.Text.Encodings.Web;
using Demiurge.ApiKeys;
using Microsoft.AspNetCore.Authentication;

namespace Demiurge.Identity;

/// <summary>
/// Authenticates <c>Authorization: Bearer</c> tokens against their stored hashes: user tokens,
/// and API keys (<see cref="ApiKeyTokens.Prefix"/>), which act as their creator and leave the
/// key in the request's features for <see cref="ApiKeyScopeMiddleware"/>.
/// </summary>
internal sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IUserStore store,
    IApiKeyStore keys,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = ApiExtensions.BearerScheme;

    private const string FailureKey = "demiurge:auth-failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (BearerHeader.Token(header) is not { } token)
        {
            return Fail("The Authorization header must be 'Bearer <token>'.");
        }

        if (token.StartsWith(ApiKeyTokens.Prefix, StringComparison.Ordinal))
        {
            return await AuthenticateKeyAsync(token);
        }

        var user = await store.UserFindByTokenHashAsync(Tokens.Hash(token), Context.RequestAborted);
        if (user is null)
        {
            return Fail("The bearer token is not valid.");
        }

        var principal = new Caller(user.UserId, user.Username, user.IsAdmin).ToPrincipal(SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private async Task<AuthenticateResult> AuthenticateKeyAsync(string token)
    {
        if (await keys.ApiKeyFindByTokenHashAsync(Tokens.Hash(token), Context.RequestAborted) is not { } holder)
        {
            return Fail("The API key is not valid.");
        }

        var key = holder.Key;
        if (key.RevokedAt is not null)
        {
            return Fail("The API key was revoked.");
        }

        if (key.ExpiresAt <= time.GetUtcNow())
        {
            return Fail($"The API key expired at {key.ExpiresAt.ToString("O", CultureInfo.InvariantCulture)}.");
        }

        Context.Features.Set(key);
        var caller = new Caller(holder.Creator.UserId, holder.Creator.Username, holder.Creator.IsAdmin && key.Scopes.Contains(ApiKeyScopes.Admin))
        {
            KeyId = key.KeyId,
            KeyOrganizationId = key.OrganizationId,
        };
        return AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = SchemeName;
        var detail = Context.Items[FailureKey] as string ?? "This endpoint needs an 'Authorization: Bearer <token>' header.";
        return ApiProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Authentication required", detail, "unauthorized");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Forbidden", "Only system administrators may do this.", "forbidden");

    private AuthenticateResult Fail(string reason)
    {
        DemiurgeMetrics.AuthenticationFailed();
        Context.Items[FailureKey] = reason;
        return AuthenticateResult.Fail(reason);
    }
}
