using Demiurge.Dns.PowerDns;
using Demiurge.Dns.Server;
using Microsoft.Extensions.Http.Resilience;

namespace Demiurge.Dns;

internal static class DnsExtensions
{
    /// <summary>
    /// The DNS provider the allocation saga publishes organizations' names to (embedded or
    /// PowerDNS, from the settings), and the embedded server, which runs when the process's role serves DNS.
    /// </summary>
    public static IServiceCollection AddDns(this IServiceCollection services)
    {
        services.TryAddSingleton<ServedZone>();
        services.TryAddSingleton<EmbeddedDnsProvider>();
        services.TryAddSingleton<PowerDnsProvider>();
        services.TryAddSingleton<IDnsProvider>(provider =>
            provider.GetRequiredService<IOptions<DnsOptions>>().Value.Provider == DnsOptions.PowerDns
                ? provider.GetRequiredService<PowerDnsProvider>()
                : provider.GetRequiredService<EmbeddedDnsProvider>());
        services.TryAddSingleton<DnsService>();
        services.AddHostedService(provider => provider.GetRequiredService<DnsService>());

        services.AddHttpClient(PowerDnsProvider.HttpClientName)
            .ConfigureHttpClient((provider, http) =>
            {
                var dns = provider.GetRequiredService<IOptions<DnsOptions>>().Value;
                if (Uri.TryCreate(dns.PowerDnsUrl, UriKind.Absolute, out var url))
                {
                    http.BaseAddress = new Uri(url.ToString().TrimEnd('/') + "/");
                }

                http.DefaultRequestHeaders.Add("X-API-Key", dns.PowerDnsApiKey);
            })
            .AddStandardResilienceHandler()
            .Configure((HttpStandardResilienceOptions resilience, IServiceProvider provider) =>
            {
                // Retries fit inside the configured time for the whole call; a change is an
                // idempotent REPLACE or DELETE, so repeating a PATCH is safe.
                var total = provider.GetRequiredService<IOptions<DnsOptions>>().Value.PowerDnsTimeout;
                resilience.TotalRequestTimeout.Timeout = total;
                resilience.AttemptTimeout.Timeout = total / 3;
                resilience.CircuitBreaker.SamplingDuration = total * 2;
                resilience.Retry.Delay = TimeSpan.FromMilliseconds(100);
            });
        return services;
    }
}
