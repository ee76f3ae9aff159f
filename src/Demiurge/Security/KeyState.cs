namespace Demiurge.Security;

internal enum KeyState
{
    /// <summary>New secrets are sealed with it; one per purpose.</summary>
    Active,

    /// <summary>Still opens what it sealed until a rotation has moved every secret to the active key; then it is deleted.</summary>
    Retiring,
}
