using System.Collections.Concurrent;
using Demiurge.Hosting;
using Microsoft.Extensions.Options;

namespace Demiurge.Dns;

/// <summary>
/// The record set the embedded DNS server will answer from (issue 5 adds the server and the
/// PowerDNS adapter). With the default <c>*.localhost</c> domain no DNS is needed at all.
/// </summary>
internal sealed class InMemoryDnsProvider(IOptions<DemiurgeOptions> options) : IDnsProvider
{
    private readonly ConcurrentDictionary<string, string> _records = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Published names and the address they resolve to.</summary>
    public IReadOnlyDictionary<string, string> Records => _records;

    public Task SetOrganizationAsync(string organizationId, CancellationToken cancellationToken)
    {
        var name = GatewayNames.Hostname(organizationId, options.Value.Domain);
        _records[name] = "127.0.0.1";
        _records["*." + name] = "127.0.0.1";
        return Task.CompletedTask;
    }

    public Task RemoveOrganizationAsync(string organizationId, CancellationToken cancellationToken)
    {
        var name = GatewayNames.Hostname(organizationId, options.Value.Domain);
        _records.TryRemove(name, out _);
        _records.TryRemove("*." + name, out _);
        return Task.CompletedTask;
    }
}
