namespace Demiurge.GatewayProcess.Routing;

/// <summary>What stage 2 found for a container's name.</summary>
internal enum ContainerLookupOutcome
{
    Forward,
    NotRegistered,
    OtherOrganization,
}
