using System.ComponentModel.DataAnnotations;
using Demiurge.Organizations;

namespace Demiurge.ApiKeys;

// Request contracts are public: the .NET 10 validation generator only sees public types.
public sealed record CreateApiKeyRequest
{
    [Required(ErrorMessage = "The name is required."), StringLength(ApiKeyEndpoints.MaxNameLength, ErrorMessage = "The name must be at most {1} characters."), PrintableName]
    public string? Name { get; init; }

    /// <summary>One or more of org:read, org:write, deploy:write, webhook, admin.</summary>
    [Required(ErrorMessage = "Name at least one scope."), MinLength(1, ErrorMessage = "Name at least one scope."), MaxLength(16, ErrorMessage = "Name at most {1} scopes.")]
    public string[]? Scopes { get; init; }

    /// <summary>Limits the key to this organization.</summary>
    public string? OrganizationId { get; init; }

    /// <summary>Seconds until the key expires; 90 days when neither this nor expires_at is given, at most 365 days.</summary>
    [Range(1, ApiKeyEndpoints.MaxLifetimeSeconds, ErrorMessage = "expires_in must be between {1} and {2} seconds.")]
    public long? ExpiresIn { get; init; }

    /// <summary>When the key expires, at most 365 days from now.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

internal sealed record ApiKeyResponse(
    string KeyId, string UserId, string Name, IReadOnlyList<string> Scopes, string? OrganizationId,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public static ApiKeyResponse From(ApiKey key) =>
        new(key.KeyId, key.UserId, key.Name, key.Scopes, key.OrganizationId, key.CreatedAt, key.ExpiresAt, key.LastUsedAt, key.RevokedAt);
}

/// <summary>The new key and its secret, which is shown only here.</summary>
internal sealed record ApiKeyCreatedResponse(
    string KeyId, string UserId, string Name, IReadOnlyList<string> Scopes, string? OrganizationId, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string Token)
{
    public static ApiKeyCreatedResponse From(ApiKey key, string token) =>
        new(key.KeyId, key.UserId, key.Name, key.Scopes, key.OrganizationId, key.CreatedAt, key.ExpiresAt, token);
}
