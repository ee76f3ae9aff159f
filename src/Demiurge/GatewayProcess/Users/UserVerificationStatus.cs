namespace Demiurge.GatewayProcess.Users;

/// <summary>What became of a user token presented to the gateway.</summary>
internal enum UserVerificationStatus
{
    Verified,

    /// <summary>No usable <c>Authorization: Bearer</c> header.</summary>
    Missing,

    /// <summary>The control plane says the token is no user's.</summary>
    Invalid,

    /// <summary>The control plane could not be asked, or answered something else; the token may be fine.</summary>
    Unavailable,
}
