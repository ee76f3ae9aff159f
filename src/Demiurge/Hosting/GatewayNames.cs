namespace Demiurge.Hosting;

/// <summary>The DNS layout of the seeds: an organization's gateway answers at <c>org-{id}.{domain}</c>.</summary>
internal static class GatewayNames
{
    public static string Hostname(string organizationId, string domain) => $"org-{organizationId}.{domain}";
}
