namespace Demiurge.GatewayProcess;

/// <summary>What <c>/collab/start</c> answers; every caller with the same handshake token gets the same one.</summary>
internal sealed record StartResult(StartOutcome Outcome, string Detail, string? AllocationId = null, string? OrganizationId = null)
{
    public static StartResult Started(string allocationId, string organizationId) =>
        new(StartOutcome.Started, $"Serving organization {organizationId}.", allocationId, organizationId);

    public static StartResult Conflict(string detail) => new(StartOutcome.Conflict, detail);

    public static StartResult Failed(string detail) => new(StartOutcome.Failed, detail);

    public static StartResult Unavailable(string detail) => new(StartOutcome.Unavailable, detail);
}
