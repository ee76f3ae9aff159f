namespace Demiurge.GatewayProcess;

/// <summary>Body of <c>PUT /projects/{project_id}/state</c>: the project's document, base64.</summary>
internal sealed record ProjectStateRequest
{
    public string? State { get; init; }
}
