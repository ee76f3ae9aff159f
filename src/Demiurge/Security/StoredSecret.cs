namespace Demiurge.Security;

/// <summary>A secret as the store keeps it: sealed by data key <see cref="KeyId"/>, bound to its id. <see cref="OrganizationId"/> is null for the platform's own.</summary>
internal sealed record StoredSecret(string SecretId, string? OrganizationId, string Name, string KeyId, string Ciphertext, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
