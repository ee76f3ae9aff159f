namespace Demiurge.GatewayProcess.Containers;

/// <summary>How a request on a user container ended.</summary>
internal enum ContainerOutcome
{
    Created,
    Deleted,
    Forbidden,
    NotFound,
    Conflict,
}
