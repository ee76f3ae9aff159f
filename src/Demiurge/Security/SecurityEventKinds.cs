namespace Demiurge.Security;

/// <summary>Audit events of the key ring and secrets.</summary>
internal static class SecurityEventKinds
{
    public const string KeyRotated = "key_ring.rotated";
    public const string KeyRetired = "key_ring.key_retired";
    public const string SecretCreated = "secret.created";
    public const string SecretDeleted = "secret.deleted";
}
