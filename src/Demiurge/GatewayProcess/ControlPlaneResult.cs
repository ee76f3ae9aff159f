namespace Demiurge.GatewayProcess;

/// <summary>The outcome of one call to the control plane: the answer when it succeeded, else why not.</summary>
internal sealed record ControlPlaneResult<T>(ControlPlaneStatus Status, T? Value, int? HttpStatus, string Detail)
    where T : class
{
    /// <summary>With a 409 from a push: the version the control plane holds.</summary>
    public long? CurrentVersion { get; init; }

    public bool Succeeded => Status == ControlPlaneStatus.Success;

    /// <summary>"401: detail", or just the detail when there was no answer.</summary>
    public string Describe() => HttpStatus is { } status ? $"{status}: {Detail}" : Detail;
}
