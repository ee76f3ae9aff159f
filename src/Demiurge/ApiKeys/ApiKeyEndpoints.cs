using System.Security.Claims;
using Demiurge.Events;
using Demiurge.Identity;
using Demiurge.Organizations;

namespace Demiurge.ApiKeys;

internal static class ApiKeyEndpoints
{
    public const int MaxNameLength = 100;
    public const long MaxLifetimeSeconds = 365L * 24 * 60 * 60;
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromSeconds(MaxLifetimeSeconds);
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(90);

    public static RouteGroupBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/tokens").WithTags("API keys").WithMetadata(ApiKeyRequirement.UserTokenOnly);
        group.MapPost("", CreateAsync).WithSummary("Create an API key acting as the caller, with scopes and optionally one organization. The key is shown once (audited).");
        group.MapGet("", ListAsync).WithSummary("The caller's API keys with their last use; every user's with ?all=true (system admins).");
        group.MapDelete("/{key_id}", RevokeAsync).WithSummary("Revoke an API key: the caller's own, or any (system admins; audited).");
        return group;
    }

    private static async Task<Results<Created<ApiKeyCreatedResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateApiKeyRequest request, ClaimsPrincipal principal, IOrganizationStore store, IApiKeyStore keys, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        if (request.Scopes!.FirstOrDefault(s => !ApiKeyScopes.All.Contains(s)) is { } unknown)
        {
            return ApiProblems.Invalid("scopes", $"Unknown scope '{unknown}'; the scopes are {string.Join(", ", ApiKeyScopes.All)}.");
        }

        var now = time.GetUtcNowMilliseconds();
        if (ExpiresAt(request, now) is not { } expiresAt)
        {
            return ApiProblems.Invalid("expires_at", "Give expires_in or expires_at, not both; expires_at must be in the future and at most 365 days away.");
        }

        string? organizationId = null;
        if (request.OrganizationId is not null)
        {
            if (await OrganizationAccess.LoadAsync(store, request.OrganizationId, caller, cancellationToken) is not { } access)
            {
                return ApiProblems.NotFound("Organization", request.OrganizationId);
            }

            organizationId = access.Organization.OrganizationId;
        }

        if (request.Scopes!.Contains(ApiKeyScopes.Admin) && !caller.IsAdmin)
        {
            return ApiProblems.Forbidden("Only system admins may create keys with the 'admin' scope.");
        }

        var key = new ApiKey(Ids.New(), caller.UserId, request.Name!, [.. request.Scopes!.Distinct()], organizationId, now, expiresAt, null, null);
        var token = ApiKeyTokens.New();
        var auditEvent = new AuditEvent(Ids.New(), EventKinds.ApiKeyCreated, caller.UserId, organizationId, key.KeyId, $"{key.Name} ({string.Join(' ', key.Scopes)})", now);
        await keys.ApiKeyCreateAsync(key, Tokens.Hash(token), auditEvent, cancellationToken);
        return TypedResults.Created($"/tokens/{key.KeyId}", ApiKeyCreatedResponse.From(key, token));
    }

    /// <summary>The expiry the request asks for, or null when it asks for two or an impossible one.</summary>
    private static DateTimeOffset? ExpiresAt(CreateApiKeyRequest request, DateTimeOffset now) => (request.ExpiresIn, request.ExpiresAt) switch
    {
        (null, null) => now + DefaultLifetime,
        ({ } seconds, null) => now.AddSeconds(seconds),
        (null, { } at) when at > now && at <= now + MaxLifetime => DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds()),
        _ => null,
    };

    private static async Task<Results<Ok<ApiKeyResponse[]>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal principal, IApiKeyStore keys, CancellationToken cancellationToken, bool all = false)
    {
        var caller = Caller.From(principal);
        if (all && !caller.IsAdmin)
        {
            return ApiProblems.Forbidden("Only system admins may list every user's keys.");
        }

        var listed = await keys.ApiKeyListAsync(all ? null : caller.UserId, cancellationToken);
        return TypedResults.Ok(listed.Select(ApiKeyResponse.From).ToArray());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string key_id, ClaimsPrincipal principal, IApiKeyStore keys, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        if (Ids.Parse(key_id) is not { } keyId
            || await keys.ApiKeyGetAsync(keyId, cancellationToken) is not { } key
            || (key.UserId != caller.UserId && !caller.IsAdmin))
        {
            return ApiProblems.NotFound("API key", key_id);
        }

        // Revoking a revoked key changes nothing and records nothing.
        var now = time.GetUtcNowMilliseconds();
        await keys.ApiKeyRevokeAsync(keyId, now,
            new AuditEvent(Ids.New(), EventKinds.ApiKeyRevoked, caller.UserId, key.OrganizationId, keyId, key.Name, now), cancellationToken);
        return TypedResults.NoContent();
    }
}
