using Demiurge.Identity;
using Microsoft.AspNetCore.Authorization;

namespace Demiurge.ApiKeys;

/// <summary>
/// The one place where API keys are held to their scopes and organization: a request
/// authenticated by a key reaches its endpoint only if the key holds the endpoint's scope
/// (<see cref="ApiKeyRequirement"/>, or <c>org:read</c> for reads, <c>org:write</c> for writes,
/// <c>admin</c> for system-admin endpoints) and, for a key limited to one organization, only if
/// the route's <c>{organization_id}</c> is that organization. A refusal is 403 problem+json.
/// For a request that was not refused, it records the key's use at most once a minute.
/// </summary>
internal sealed class ApiKeyScopeMiddleware(RequestDelegate next, IApiKeyStore keys, TimeProvider time)
{
    /// <summary>How stale a key's <c>last_used_at</c> may be: recording every use would make every request a write.</summary>
    public static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    public const string OrganizationRouteValue = "organization_id";

    public async Task InvokeAsync(HttpContext context)
    {
        var key = context.Features.Get<ApiKey>();
        var endpoint = context.GetEndpoint();
        if (key is null || endpoint is null || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            await next(context);
            return;
        }

        if (Refusal(key, endpoint, context) is { } detail)
        {
            await ApiProblems.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", detail, "forbidden");
            return;
        }

        var now = time.GetUtcNowMilliseconds();
        if (!(key.LastUsedAt > now - LastUseResolution))
        {
            // Once the status is known, before the answer's first byte: a refused request records no use.
            context.Response.OnStarting(() => context.Response.StatusCode == StatusCodes.Status403Forbidden
                ? Task.CompletedTask
                : keys.ApiKeyTouchAsync(key.KeyId, now, now - LastUseResolution, CancellationToken.None));
        }

        await next(context);
    }

    /// <summary>Why the key may not call the endpoint, or null when it may.</summary>
    private static string? Refusal(ApiKey key, Endpoint endpoint, HttpContext context)
    {
        var requirement = endpoint.Metadata.GetMetadata<ApiKeyRequirement>();
        var scope = requirement is not null ? requirement.Scope
            : endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == IdentityExtensions.AdminPolicy) ? ApiKeyScopes.Admin
            : HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) ? ApiKeyScopes.OrgRead
            : ApiKeyScopes.OrgWrite;
        if (scope is null)
        {
            return "API keys cannot call this endpoint: use a user token.";
        }

        if (!key.Scopes.Contains(scope))
        {
            return $"This API key lacks the '{scope}' scope.";
        }

        if (key.OrganizationId is not { } organizationId)
        {
            return null;
        }

        if (context.GetRouteValue(OrganizationRouteValue) is string routeOrganization)
        {
            return Ids.Parse(routeOrganization) == organizationId ? null : $"This API key is limited to organization {organizationId}.";
        }

        return requirement?.AnyOrganization == true ? null : $"This API key is limited to organization {organizationId}; this endpoint is not about one organization.";
    }
}
