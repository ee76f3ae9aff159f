namespace Demiurge.GatewayProcess.Routing;

/// <summary>How a container's (de)registration with stage 2 ended.</summary>
internal enum RegistrationOutcome
{
    Registered,
    Removed,
    NotRegistered,

    /// <summary>The token is no container's of this organization.</summary>
    Unauthenticated,

    /// <summary>The token is another container's.</summary>
    Forbidden,

    /// <summary>The container's own token, with an endpoint it may not register.</summary>
    InvalidUrl,
}
