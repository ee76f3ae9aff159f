using System.Diagnostics.Metrics;

namespace Demiurge.Api;

/// <summary>Domain counters, exported at <c>/metrics</c> next to the HTTP server metrics.</summary>
/// <remarks>
/// The meter is process-wide on purpose. OpenTelemetry subscribes to meters by name, so
/// per-host meters from <see cref="IMeterFactory"/> collide when one process runs several
/// hosts (tests, or roles started together by <c>demiurge up</c>): the later one is dropped.
/// </remarks>
internal static class DemiurgeMetrics
{
    public const string MeterName = "Demiurge";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Counter<long> s_usersCreated = s_meter.CreateCounter<long>("demiurge.users.created", "{user}", "Users created.");
    private static readonly Counter<long> s_organizationsCreated = s_meter.CreateCounter<long>("demiurge.organizations.created", "{organization}", "Organizations created.");
    private static readonly Counter<long> s_membersAdded = s_meter.CreateCounter<long>("demiurge.members.added", "{member}", "Members added to organizations, owners at creation excluded.");
    private static readonly Counter<long> s_projectsCreated = s_meter.CreateCounter<long>("demiurge.projects.created", "{project}", "Projects created.");
    private static readonly Counter<long> s_authenticationFailures = s_meter.CreateCounter<long>("demiurge.authentication.failures", "{request}", "Requests with a malformed or unknown bearer token.");

    private static readonly Counter<long> s_allocations = s_meter.CreateCounter<long>("demiurge.gateway.allocations", "{allocation}", "Allocation attempts by result (allocated, rolled_back, exhausted).");
    private static readonly Histogram<double> s_allocationDuration = s_meter.CreateHistogram<double>("demiurge.gateway.allocation.duration", "s", "Time from the start request to a gateway serving the organization.");
    private static readonly Counter<long> s_poolExhausted = s_meter.CreateCounter<long>("demiurge.gateway.pool.exhausted", "{request}", "Start requests that found no ready gateway.");
    private static readonly Counter<long> s_scaleEvents = s_meter.CreateCounter<long>("demiurge.gateway.pool.scale_events", "{event}", "Autoscale events.");
    private static readonly Counter<long> s_releases = s_meter.CreateCounter<long>("demiurge.gateway.releases", "{release}", "Allocations released, by reason.");
    private static readonly Counter<long> s_namesReconciled = s_meter.CreateCounter<long>("demiurge.gateway.names.reconciled", "{change}", "DNS records or routes the reconciler removed (left behind) or restored (missing for an active allocation), by action and names.");
    private static IReadOnlyDictionary<string, int> s_gatewaysByState = new Dictionary<string, int>();

    static DemiurgeMetrics() =>
        s_meter.CreateObservableGauge("demiurge.gateways", () => s_gatewaysByState.Select(p => new Measurement<int>(p.Value, new KeyValuePair<string, object?>("state", p.Key))), "{gateway}", "Gateways by state.");

    public static void AllocationFinished(string result, TimeSpan? duration)
    {
        s_allocations.Add(1, new KeyValuePair<string, object?>("result", result));
        if (duration is { } elapsed)
        {
            s_allocationDuration.Record(elapsed.TotalSeconds);
        }
    }

    public static void PoolExhausted() => s_poolExhausted.Add(1);

    public static void PoolScaled(int added) => s_scaleEvents.Add(1, new KeyValuePair<string, object?>("added", added));

    public static void Released(string reason) => s_releases.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <param name="action"><c>removed</c> or <c>restored</c>.</param>
    /// <param name="names"><c>dns</c> or <c>route</c>.</param>
    public static void NamesReconciled(string action, string names) =>
        s_namesReconciled.Add(1, new KeyValuePair<string, object?>("action", action), new KeyValuePair<string, object?>("names", names));

    /// <summary>The pool manager publishes its latest census here; the gauge reads it.</summary>
    public static void GatewaysCounted(IReadOnlyDictionary<string, int> byState) => s_gatewaysByState = byState;

    public static void UserCreated() => s_usersCreated.Add(1);

    public static void OrganizationCreated() => s_organizationsCreated.Add(1);

    public static void MemberAdded() => s_membersAdded.Add(1);

    public static void ProjectCreated() => s_projectsCreated.Add(1);

    public static void AuthenticationFailed() => s_authenticationFailures.Add(1);
}
