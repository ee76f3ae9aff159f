using Demiurge.Dns;
using Demiurge.Dns.PowerDns;
using Demiurge.Common;
using Demiurge.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Demiurge.Tests.Dns.Servers;

/// <summary>PowerDNS adapters built through <c>AddDns()</c>, so they carry the real HTTP client, key, timeout and retries.</summary>
internal sealed class PowerDnsProviders : IDisposable
{
    private readonly List<ServiceProvider> _services = [];

    public PowerDnsProvider Create(Uri apiUrl, string apiKey, string serverId = "localhost", TimeSpan? timeout = null, string domain = EmbeddedDnsServerFixture.Zone)
    {
        var options = new DemiurgeOptions
        {
            Domain = domain,
            Dns = { Provider = DnsOptions.PowerDns, PowerDnsUrl = apiUrl.ToString(), PowerDnsApiKey = apiKey, PowerDnsServerId = serverId, PowerDnsTimeout = timeout ?? new DnsOptions().PowerDnsTimeout, EdgeAddresses = "127.0.0.1, ::1" },
        };
        var services = new ServiceCollection().AddLogging().AddSingleton(Options.Create<PlatformOptions>(options)).AddSingleton(Options.Create(options.Dns)).AddDns().BuildServiceProvider();
        _services.Add(services);
        return (PowerDnsProvider)services.GetRequiredService<IDnsProvider>();
    }

    public void Dispose()
    {
        foreach (var services in _services)
        {
            services.Dispose();
        }
    }
}
