using System.Diagnostics.CodeAnalysis;
using Demiurge.GatewayProcess.Users;
using Demiurge.Identity;
using Demiurge.Protocol;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Demiurge.GatewayProcess.OAuth;

/// <summary>
/// The organization's OAuth 2 provider for its user containers (docs/gateway-protocol.md):
/// authorization code with PKCE, token with refresh rotation, and introspection for containers.
/// </summary>
/// <remarks>
/// A request is user activity (it re-arms the inactivity deadline) once its caller is known: a
/// member at <c>/oauth/authorize</c>, a registered client at <c>/oauth/token</c>, a container at
/// <c>/oauth/authenticate</c>. Anonymous noise cannot keep an organization's gateway allocated.
/// </remarks>
internal static class OAuthEndpoints
{
    /// <summary>Largest form accepted: the parameters are a few short tokens.</summary>
    public const long MaxFormBytes = 16 * 1024;

    public const string AuthorizationCodeGrant = "authorization_code";
    public const string RefreshTokenGrant = "refresh_token";

    private static readonly string[] s_authorizeParameters = ["response_type", "client_id", "redirect_uri", "code_challenge", "code_challenge_method", "state", "scope"];
    private static readonly string[] s_tokenParameters = ["grant_type", "code", "redirect_uri", "client_id", "code_verifier", "refresh_token", "scope"];
    private static readonly string[] s_introspectionParameters = ["token", "token_type_hint"];

    public static RouteGroupBuilder MapOAuthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/oauth").WithTags("OAuth");
        group.MapGet("/authorize", AuthorizeAsync).WithSummary("Authorization code with PKCE (S256) for a container's client (members).");
        group.MapPost("/token", TokenAsync).WithMetadata(new RequestSizeLimitAttribute(MaxFormBytes))
            .WithSummary("Redeem a code or a refresh token (public clients).");
        group.MapPost("/authenticate", AuthenticateAsync).WithMetadata(new RequestSizeLimitAttribute(MaxFormBytes))
            .WithSummary("Introspect an access token (the container's own token).");
        return group;
    }

    /// <summary>
    /// <c>GET /oauth/authorize</c>: a member, identified by their Demiurge user token, is sent
    /// back to the client's redirect URI with a code. Until the client and its redirect URI are
    /// known to match, errors are answered here (400) and never redirected (RFC 6749, 4.1.2.1).
    /// </summary>
    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> AuthorizeAsync(
        HttpContext context, GatewayWorker worker, UserTokenVerifier users, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        if (!TrySingle(query, "client_id", out var clientId) || !TrySingle(query, "redirect_uri", out var redirectUri))
        {
            return ManagerProblems.OAuth(OAuthErrors.InvalidRequest, "client_id and redirect_uri must each be given once.");
        }

        if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(redirectUri))
        {
            return ManagerProblems.OAuth(OAuthErrors.InvalidRequest, "client_id and redirect_uri are required.");
        }

        if (!worker.TryWithSession((session, _) => session.Managers.OAuth.Client(clientId), out var client))
        {
            return ManagerProblems.NotServing(worker);
        }

        if (client is null)
        {
            return ManagerProblems.OAuth(OAuthErrors.InvalidClient, $"The client '{clientId}' is not registered with this organization.");
        }

        if (!client.RedirectUris.Contains(redirectUri, StringComparer.Ordinal))
        {
            return ManagerProblems.OAuth(OAuthErrors.InvalidRequest, "The redirect_uri is not one registered for this client; it must match exactly.");
        }

        // From here on the redirect URI is trusted: errors go back to the client.
        TrySingle(query, "state", out var state);
        if (s_authorizeParameters.FirstOrDefault(name => query[name].Count > 1) is { } repeated)
        {
            return RedirectError(redirectUri, OAuthErrors.InvalidRequest, $"The parameter {repeated} is given more than once.", state);
        }

        var responseType = query["response_type"].ToString();
        if (responseType.Length == 0)
        {
            return RedirectError(redirectUri, OAuthErrors.InvalidRequest, "response_type is required.", state);
        }

        if (responseType != "code")
        {
            return RedirectError(redirectUri, OAuthErrors.UnsupportedResponseType, "Only response_type=code is supported.", state);
        }

        var challenge = query["code_challenge"].ToString();
        var method = query["code_challenge_method"].ToString();
        if (challenge.Length == 0)
        {
            return RedirectError(redirectUri, OAuthErrors.InvalidRequest, "PKCE is required: send code_challenge with code_challenge_method=S256.", state);
        }

        if (method != Pkce.S256)
        {
            return RedirectError(redirectUri, OAuthErrors.InvalidRequest,
                $"code_challenge_method must be {Pkce.S256}{(method.Length == 0 ? string.Empty : $", not '{method}'")}; plain is not supported.", state);
        }

        if (!Pkce.IsChallenge(challenge))
        {
            return RedirectError(redirectUri, OAuthErrors.InvalidRequest, "code_challenge must be the base64url SHA-256 of the verifier: 43 characters.", state);
        }

        var verification = await users.VerifyAsync(context.Request.Headers.Authorization, cancellationToken);
        switch (verification.Status)
        {
            case UserVerificationStatus.Missing or UserVerificationStatus.Invalid:
                // Not an OAuth error: the user agent has to present a user token; the client learns nothing.
                return ManagerProblems.Unauthenticated(context.Response, verification.Detail);
            case UserVerificationStatus.Unavailable:
                return RedirectError(redirectUri, OAuthErrors.TemporarilyUnavailable, verification.Detail, state);
        }

        var user = verification.User!;
        if (!worker.TryWithSession((session, now) => Authorize(session, now, user, clientId, redirectUri, challenge), out var result))
        {
            return ManagerProblems.NotServing(worker);
        }

        return result!.Code is { } code
            ? TypedResults.Redirect(WithQuery(redirectUri, ("code", code), ("state", state)))
            : result.Error == OAuthErrors.InvalidClient
                ? ManagerProblems.OAuth(OAuthErrors.InvalidClient, result.Description)
                : RedirectError(redirectUri, result.Error!, result.Description, state);
    }

    /// <summary><c>POST /oauth/token</c>: the authorization-code and refresh-token grants, for public clients.</summary>
    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> TokenAsync(HttpContext context, GatewayWorker worker, CancellationToken cancellationToken)
    {
        ManagerProblems.NoStore(context.Response);
        var (form, formError) = await ReadFormAsync(context.Request, s_tokenParameters, cancellationToken);
        if (form is null)
        {
            return ManagerProblems.OAuth(OAuthErrors.InvalidRequest, formError!);
        }

        var grantType = form["grant_type"].ToString();
        var clientId = form["client_id"].ToString();
        if (grantType.Length == 0 || clientId.Length == 0)
        {
            return ManagerProblems.OAuth(OAuthErrors.InvalidRequest, "grant_type and client_id are required.");
        }

        Func<OAuthProvider, DateTimeOffset, OAuthTokenResult> grant;
        switch (grantType)
        {
            case AuthorizationCodeGrant:
                var code = form["code"].ToString();
                var redirectUri = form["redirect_uri"].ToString();
                var verifier = form["code_verifier"].ToString();
                if (code.Length == 0 || redirectUri.Length == 0 || verifier.Length == 0)
                {
                    return ManagerProblems.OAuth(OAuthErrors.InvalidRequest, "code, redirect_uri and code_verifier are required for the authorization_code grant.");
                }

                if (!Pkce.IsVerifier(verifier))
                {
                    return ManagerProblems.OAuth(OAuthErrors.InvalidRequest,
                        $"code_verifier must be {Pkce.MinVerifierLength} to {Pkce.MaxVerifierLength} characters of A-Z, a-z, 0-9, '-', '.', '_' and '~'.");
                }

                grant = (oauth, now) => oauth.RedeemCode(clientId, code, redirectUri, verifier, now);
                break;
            case RefreshTokenGrant:
                var refreshToken = form["refresh_token"].ToString();
                if (refreshToken.Length == 0)
                {
                    return ManagerProblems.OAuth(OAuthErrors.InvalidRequest, "refresh_token is required for the refresh_token grant.");
                }

                grant = (oauth, now) => oauth.Refresh(clientId, refreshToken, now);
                break;
            default:
                return ManagerProblems.OAuth(OAuthErrors.UnsupportedGrantType, $"The grant_type must be {AuthorizationCodeGrant} or {RefreshTokenGrant}.");
        }

        if (!worker.TryWithSession((session, now) => Grant(session, now, clientId, grant), out var result))
        {
            return ManagerProblems.NotServing(worker);
        }

        return result!.Tokens is { } tokens ? TypedResults.Ok(tokens) : ManagerProblems.OAuth(result.Error!, result.Description);
    }

    /// <summary>
    /// <c>POST /oauth/authenticate</c>: token introspection (RFC 7662) for a container, which
    /// authenticates with its container token. Only tokens issued to that container's own
    /// client are active to it.
    /// </summary>
    private static async Task<Results<Ok<IntrospectionResponse>, ProblemHttpResult>> AuthenticateAsync(
        HttpContext context, GatewayWorker worker, CancellationToken cancellationToken)
    {
        ManagerProblems.NoStore(context.Response);
        const string unauthenticated = "This endpoint needs 'Authorization: Bearer <container token>' with the token of one of the organization's containers.";
        if (BearerHeader.Token(context.Request.Headers.Authorization) is not { } containerToken)
        {
            return ManagerProblems.Unauthenticated(context.Response, unauthenticated);
        }

        if (!worker.TryWithSession((session, _) => session.Managers.Containers.Authenticate(containerToken) is not null, out var known))
        {
            return ManagerProblems.NotServing(worker);
        }

        if (!known)
        {
            return ManagerProblems.Unauthenticated(context.Response, unauthenticated);
        }

        var (form, formError) = await ReadFormAsync(context.Request, s_introspectionParameters, cancellationToken);
        if (form is null)
        {
            return ManagerProblems.OAuth(OAuthErrors.InvalidRequest, formError!);
        }

        var token = form["token"].ToString();
        if (token.Length == 0)
        {
            return ManagerProblems.OAuth(OAuthErrors.InvalidRequest, "token is required: the access token to introspect.");
        }

        if (!worker.TryWithSession((session, now) => Introspect(session, now, containerToken, token), out var answer))
        {
            return ManagerProblems.NotServing(worker);
        }

        // Deleted between the two steps: it is no container's token any more.
        return answer is null ? ManagerProblems.Unauthenticated(context.Response, unauthenticated) : TypedResults.Ok(answer);
    }

    private static AuthorizationResult Authorize(
        OrganizationSession session, DateTimeOffset now, UserIdentity user, string clientId, string redirectUri, string challenge)
    {
        var managers = session.Managers;
        if (!managers.Permissions.CanAuthorize(user.UserId))
        {
            return new AuthorizationResult(null, OAuthErrors.AccessDenied, $"User {user.Username} is not a member of this organization.");
        }

        session.Touch(now);
        return managers.OAuth.IssueCode(clientId, user.UserId, redirectUri, challenge, now) is { } code
            ? new AuthorizationResult(code, null, "issued")
            : new AuthorizationResult(null, OAuthErrors.InvalidClient, $"The client '{clientId}' is no longer registered with this organization.");
    }

    private static OAuthTokenResult Grant(OrganizationSession session, DateTimeOffset now, string clientId, Func<OAuthProvider, DateTimeOffset, OAuthTokenResult> grant)
    {
        if (session.Managers.OAuth.Client(clientId) is not null)
        {
            session.Touch(now);
        }

        return grant(session.Managers.OAuth, now);
    }

    private static IntrospectionResponse? Introspect(OrganizationSession session, DateTimeOffset now, string containerToken, string token)
    {
        var answer = session.Managers.Introspect(containerToken, token, now);
        if (answer is not null)
        {
            session.Touch(now);
        }

        return answer;
    }

    /// <summary>
    /// Reads an <c>application/x-www-form-urlencoded</c> body; a parameter of
    /// <paramref name="parameters"/> given twice is refused (RFC 6749, section 3.1).
    /// </summary>
    private static async Task<(IFormCollection? Form, string? Error)> ReadFormAsync(HttpRequest request, string[] parameters, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "The body must be application/x-www-form-urlencoded.");
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException exception)
        {
            return (null, $"The form cannot be read: {exception.Message}");
        }

        return parameters.FirstOrDefault(name => form[name].Count > 1) is { } repeated
            ? (null, $"The parameter {repeated} is given more than once.")
            : (form, null);
    }

    private static bool TrySingle(IQueryCollection query, string name, [NotNullWhen(true)] out string? value)
    {
        var values = query[name];
        value = values.Count == 1 ? values[0] ?? string.Empty : values.Count == 0 ? string.Empty : null;
        return value is not null;
    }

    private static RedirectHttpResult RedirectError(string redirectUri, string error, string description, string? state) =>
        TypedResults.Redirect(WithQuery(redirectUri, ("error", error), ("error_description", description), ("state", state)));

    /// <summary>The redirect URI with parameters added to its own query; empty values (an absent state) are left out.</summary>
    private static string WithQuery(string redirectUri, params (string Name, string? Value)[] parameters) =>
        QueryHelpers.AddQueryString(redirectUri, parameters
            .Where(p => !string.IsNullOrEmpty(p.Value))
            .Select(p => KeyValuePair.Create(p.Name, (StringValues)p.Value)));
}
