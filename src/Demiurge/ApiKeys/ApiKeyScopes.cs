namespace Demiurge.ApiKeys;

/// <summary>
/// Every scope an API key can hold, and what it allows today (docs/api.md, "API keys"). A key
/// calls an endpoint only if it holds the endpoint's scope: by default <see cref="OrgRead"/> for
/// GET and HEAD and <see cref="OrgWrite"/> for other methods; an endpoint declares another with
/// <see cref="ApiKeyRequirement"/>. Scopes add nothing to the creator's own rights.
/// </summary>
internal static class ApiKeyScopes
{
    /// <summary>Read organizations, their members and projects (GET).</summary>
    public const string OrgRead = "org:read";

    /// <summary>Create and change organizations, members and projects (POST, PATCH, PUT, DELETE).</summary>
    public const string OrgWrite = "org:write";

    /// <summary>Deployments; no endpoint takes it yet.</summary>
    public const string DeployWrite = "deploy:write";

    /// <summary>Git provider webhooks; no endpoint takes it yet.</summary>
    public const string Webhook = "webhook";

    /// <summary>
    /// The system-admin endpoints (users, events, gateways, key ring). Only a system admin may
    /// create a key with it; any other key acts as a non-admin even if its creator is one.
    /// </summary>
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [OrgRead, OrgWrite, DeployWrite, Webhook, Admin];
}
