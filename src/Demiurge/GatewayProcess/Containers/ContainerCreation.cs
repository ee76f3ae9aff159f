namespace Demiurge.GatewayProcess.Containers;

/// <summary>The result of creating a container: on success its record, its token (in clear, once) and its OAuth client.</summary>
internal sealed record ContainerCreation(ContainerOutcome Outcome, ContainerRecord? Container = null, string? Token = null)
{
    /// <summary>The token is a secret; keep it out of logs.</summary>
    public override string ToString() => $"{Outcome} container {Container?.ContainerId}";
}
