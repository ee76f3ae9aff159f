namespace Demiurge.Security;

/// <summary>A key of the ring as the store keeps it: wrapped by the master key; signing keys also keep their public half in clear.</summary>
internal sealed record RingKey(string KeyId, KeyPurpose Purpose, KeyState State, string Wrapped, byte[]? PublicKey, DateTimeOffset CreatedAt);
