namespace Demiurge.Security;

internal enum KeyPurpose
{
    /// <summary>Seals secrets (AES-256-GCM). Rotated by <c>demiurge secrets rotate-key</c>.</summary>
    Data,

    /// <summary>Signs the control planes' calls to gateway workers (ECDSA P-256); workers get its public half at start.</summary>
    Signing,
}
