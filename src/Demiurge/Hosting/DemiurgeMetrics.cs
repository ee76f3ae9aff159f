using System.Diagnostics.Metrics;

namespace Demiurge.Hosting;

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

    public static void UserCreated() => s_usersCreated.Add(1);

    public static void OrganizationCreated() => s_organizationsCreated.Add(1);

    public static void MemberAdded() => s_membersAdded.Add(1);

    public static void ProjectCreated() => s_projectsCreated.Add(1);

    public static void AuthenticationFailed() => s_authenticationFailures.Add(1);
}
