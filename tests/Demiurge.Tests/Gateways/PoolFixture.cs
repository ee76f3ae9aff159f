using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Demiurge.Common;
using Demiurge.Dns;
using Demiurge.Dns.PowerDns;
using Demiurge.Dns.Server;
using Demiurge.Edge;
using Demiurge.Events;
using Demiurge.Gateways;
using Demiurge.Hosting;
using Demiurge.Identity;
using Demiurge.Protocol;
using Demiurge.Store;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Demiurge.Tests.Gateways;

/// <summary>
/// A real control plane whose pool manager starts no workers: tests register protocol peers
/// (<see cref="TestWorker"/>) as ready gateways themselves, and can make DNS or routing fail.
/// </summary>
public sealed class PoolFixture : IAsyncLifetime
{
    private readonly List<TestWorker> _workers = [];

    public ControlPlaneFixture Api { get; } = new();

    public FaultPlan Faults { get; } = new();

    /// <summary>More service overrides of the test class, applied after the fixture's own.</summary>
    public Action<IServiceCollection>? Overrides { get; set; }

    internal IGatewayStore Store => Api.ControlPlane.Services.GetRequiredService<IGatewayStore>();

    /// <summary>The addresses the embedded DNS server answers for <paramref name="name"/> (an A query); none when it does not resolve.</summary>
    internal IReadOnlyList<string> Resolve(string name) =>
        [.. Api.ControlPlane.Services.GetRequiredService<ServedZone>().Current.Lookup(name, DnsType.A).Answers
            .SelectMany(a => a.Set.Records).Select(r => new IPAddress(r.Bytes).ToString())];

    internal EdgeRouteTable Edge => Api.ControlPlane.Services.GetRequiredService<EdgeRouteTable>();

    public async ValueTask InitializeAsync()
    {
        Api.Overrides = services =>
        {
            services.AddSingleton(Faults);
            services.AddSingleton<EmbeddedEdgeRouter>();
            services.AddSingleton<IDnsProvider>(provider => new FaultyDnsProvider(
                provider.GetRequiredService<IOptions<DemiurgeOptions>>().Value.Dns.Provider == DnsOptions.PowerDns
                    ? provider.GetRequiredService<PowerDnsProvider>()
                    : provider.GetRequiredService<EmbeddedDnsProvider>(),
                Faults));
            services.AddSingleton<IEdgeRouter, FaultyEdgeRouter>();
            Overrides?.Invoke(services);
        };
        await Api.InitializeAsync();
    }

    /// <summary>Starts a protocol peer and registers it as a ready gateway of runtime <c>test</c>, the way a worker reports itself.</summary>
    /// <param name="build">The worker's build as the store records it.</param>
    public async Task<(TestWorker Worker, string GatewayId, string Token)> AddReadyWorkerAsync(string? build = null)
    {
        var worker = await TestWorker.StartAsync(Api.ApiUrl);
        _workers.Add(worker);
        var gatewayId = Ids.New();
        var token = Tokens.New();
        var now = DateTimeOffset.UtcNow;
        await Store.GatewayCreateAsync(
            new Gateway(gatewayId, GatewayState.Starting, "test", worker.Address.ToString().TrimEnd('/'), worker.Port, null, now, now, null, build),
            token, new AuditEvent(Ids.New(), GatewayEventKinds.GatewayStarted, null, null, gatewayId, null, now), CancellationToken.None);
        using var ready = new HttpRequestMessage(HttpMethod.Post, GatewayPaths.Ready) { Content = ProtocolJson.Content(new GatewayReadyRequest { GatewayId = gatewayId }) };
        ready.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Api.Client().SendAsync(ready);
        response.EnsureSuccessStatusCode();
        return (worker, gatewayId, token);
    }

    /// <summary>The gateway the embedded edge routes <paramref name="organizationId"/>'s names to, or null.</summary>
    internal Uri? EdgeRoute(string organizationId) => Edge.Find(HostNames.Organization(organizationId, Api.ControlPlane.Options.Domain))?.Pick();

    /// <summary>A member with an organization of their own.</summary>
    public async Task<(TestUser Owner, string OrganizationId)> NewOrganizationAsync()
    {
        var owner = await Api.CreateUserAsync();
        return (owner, await ControlPlaneFixture.CreateOrganizationAsync(owner.Client));
    }

    public static Task<HttpResponseMessage> StartGatewayAsync(HttpClient client, string organizationId) =>
        client.PostAsJsonAsync("/gateway/start", new { organization_id = organizationId });

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        await Api.DisposeAsync();
    }
}
