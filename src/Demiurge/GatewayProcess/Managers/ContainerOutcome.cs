namespace Demiurge.GatewayProcess.Managers;

/// <summary>How a request on a user container ended.</summary>
internal enum ContainerOutcome
{
    Created,
    Deleted,
    Forbidden,
    NotFound,
    Conflict,
}
