namespace Demiurge.ApiKeys;

/// <summary>
/// Endpoint metadata: what an API key needs to call the endpoint, in place of the defaults that
/// <see cref="ApiKeyScopeMiddleware"/> applies. <see cref="Scope"/> null refuses every key (user
/// tokens only). <see cref="AnyOrganization"/> lets a key limited to one organization call an
/// endpoint with no <c>{organization_id}</c>, which then answers for that organization only.
/// </summary>
internal sealed record ApiKeyRequirement(string? Scope, bool AnyOrganization = false)
{
    /// <summary>Key management: a leaked key must not mint keys that outlive it.</summary>
    public static ApiKeyRequirement UserTokenOnly { get; } = new(Scope: null);

    /// <summary>A read that is not about one organization, or that a handler narrows to the key's organization.</summary>
    public static ApiKeyRequirement ReadAnyOrganization { get; } = new(ApiKeyScopes.OrgRead, AnyOrganization: true);
}
