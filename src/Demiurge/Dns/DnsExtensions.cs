using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Demiurge.Dns;

internal static class DnsExtensions
{
    /// <summary>The DNS provider the allocation saga publishes organizations' names to.</summary>
    public static IServiceCollection AddDns(this IServiceCollection services)
    {
        services.TryAddSingleton<IDnsProvider, InMemoryDnsProvider>();
        return services;
    }
}
