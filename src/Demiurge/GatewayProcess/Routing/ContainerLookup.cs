namespace Demiurge.GatewayProcess.Routing;

/// <summary>
/// Stage 2's answer for a request, taken under the worker's lock. When it is
/// <see cref="ContainerLookupOutcome.Forward"/>, the request is open in <see cref="Session"/>'s
/// routes until it ends, and <see cref="Registration"/> aborts it if the session is released first.
/// </summary>
internal sealed record ContainerLookup(
    ContainerLookupOutcome Outcome, OrganizationSession? Session = null, string? Destination = null, CancellationTokenRegistration Registration = default)
{
    public static readonly ContainerLookup NotRegistered = new(ContainerLookupOutcome.NotRegistered);

    public static readonly ContainerLookup OtherOrganization = new(ContainerLookupOutcome.OtherOrganization);
}
