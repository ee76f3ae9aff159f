namespace Demiurge.GatewayProcess.Containers;

/// <summary>The result of deleting a container, and how many OAuth codes and tokens went with it.</summary>
internal sealed record ContainerDeletion(ContainerOutcome Outcome, int RevokedTokens = 0);
