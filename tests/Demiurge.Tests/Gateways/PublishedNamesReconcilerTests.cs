using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Dns;
using Demiurge.Edge;
using Demiurge.Gateways;
using Demiurge.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.Gateways;

/// <summary>
/// The leader keeps DNS records and routes in line with the allocations: what an undo left
/// behind goes, what an active allocation lost comes back, a running saga is left alone.
/// </summary>
public sealed class PublishedNamesReconcilerTests : IAsyncLifetime
{
    private static readonly Uri s_nowhere = new("http://127.0.0.1:1/");

    // A fresh control plane per test, reconciling every 100 ms.
    private readonly PoolFixture _pool = new();

    private IDnsProvider Dns => _pool.Api.ControlPlane.Services.GetRequiredService<IDnsProvider>();

    private IEdgeRouter Edge => _pool.Api.ControlPlane.Services.GetRequiredService<IEdgeRouter>();

    private DemiurgeOptions Options => _pool.Api.ControlPlane.Options;

    public ValueTask InitializeAsync()
    {
        _pool.Api.ExtraSettings[Settings.PoolReconcileInterval.ConfigurationKey] = "100ms";
        return _pool.InitializeAsync();
    }

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    [Fact]
    public async Task Reconcile_NamesOfAnOrganizationWithoutAllocation_AreRemovedAndAudited()
    {
        var (_, organizationId) = await _pool.NewOrganizationAsync();

        // As an undo leaves them when its provider is down.
        await Dns.SetOrganizationAsync(organizationId, Options, Options.Dns, CancellationToken.None);
        await Edge.SetRouteAsync(organizationId, s_nowhere, Options, CancellationToken.None);

        await EventuallyAsync(() => Unresolved(organizationId) && _pool.EdgeRoute(organizationId) is null);
        var events = await EventsAsync(GatewayEventKinds.NamesRemoved, organizationId);
        Assert.Equal(["dns", "route"], events.Select(e => e.GetProperty("detail").GetString()!.Split(':')[0]).Order());
    }

    [Fact]
    public async Task Reconcile_ActiveAllocationLostItsNames_AreRestoredAndAudited()
    {
        var (worker, _, _) = await _pool.AddReadyWorkerAsync();
        var (owner, organizationId) = await _pool.NewOrganizationAsync();
        using var response = await PoolFixture.StartGatewayAsync(owner.Client, organizationId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // Behind its back: PowerDNS lost its rows, someone wiped nginx's sites folder.
        await Dns.RemoveOrganizationAsync(organizationId, Options, CancellationToken.None);
        await Edge.RemoveRouteAsync(organizationId, Options, CancellationToken.None);

        await EventuallyAsync(() => Resolves(organizationId) && _pool.EdgeRoute(organizationId) == worker.Address);
        var allocation = await _pool.Store.AllocationCurrentByOrganizationAsync(organizationId, CancellationToken.None);
        var events = await EventsAsync(GatewayEventKinds.NamesRestored, organizationId);
        Assert.Equal(["dns", "route"], events.Select(e => e.GetProperty("detail").GetString()!.Split(':')[0]).Order());
        Assert.All(events, e => Assert.Equal(allocation!.AllocationId, e.GetProperty("subject_id").GetString()));
    }

    [Fact]
    public async Task Reconcile_OrganizationMidSaga_ItsNamesAreLeftAlone()
    {
        var (worker, _, _) = await _pool.AddReadyWorkerAsync();
        var (owner, organizationId) = await _pool.NewOrganizationAsync();
        worker.HandshakeDelay = TimeSpan.FromSeconds(3);
        var start = PoolFixture.StartGatewayAsync(owner.Client, organizationId);
        await EventuallyAsync(async () => await _pool.Store.AllocationCurrentByOrganizationAsync(organizationId, CancellationToken.None) is { Step: AllocationStep.Handshake });

        // Once these leftovers are gone, a pass has listed the saga's names too, and kept them.
        var (_, stale) = await _pool.NewOrganizationAsync();
        await Dns.SetOrganizationAsync(stale, Options, Options.Dns, CancellationToken.None);
        await Edge.SetRouteAsync(stale, s_nowhere, Options, CancellationToken.None);
        await EventuallyAsync(() => Unresolved(stale) && _pool.EdgeRoute(stale) is null);

        Assert.True(Resolves(organizationId));
        Assert.Equal(worker.Address, _pool.EdgeRoute(organizationId));
        using var response = await start;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await EventsAsync(GatewayEventKinds.NamesRemoved, organizationId));
    }

    [Fact]
    public async Task Reconcile_DnsProviderDown_RoutesAreStillReconciledAndDnsOnceItIsBack()
    {
        var (_, organizationId) = await _pool.NewOrganizationAsync();
        _pool.Faults.FailDns = true;
        await _pool.Api.ControlPlane.Services.GetRequiredService<EmbeddedDnsProvider>().SetOrganizationAsync(organizationId, Options, Options.Dns, CancellationToken.None);
        await Edge.SetRouteAsync(organizationId, s_nowhere, Options, CancellationToken.None);

        await EventuallyAsync(() => _pool.EdgeRoute(organizationId) is null);
        Assert.True(Resolves(organizationId));

        _pool.Faults.FailDns = false;
        await EventuallyAsync(() => Unresolved(organizationId));
    }

    private bool Resolves(string organizationId) =>
        _pool.Resolve($"org-{organizationId}.demiurge.localhost") is ["127.0.0.1"]
        && _pool.Resolve($"uc-1.org-{organizationId}.demiurge.localhost") is ["127.0.0.1"];

    private bool Unresolved(string organizationId) =>
        _pool.Resolve($"org-{organizationId}.demiurge.localhost") is [] && _pool.Resolve($"uc-1.org-{organizationId}.demiurge.localhost") is [];

    private async Task<List<JsonElement>> EventsAsync(string kind, string organizationId)
    {
        var events = await _pool.Api.Admin.GetFromJsonAsync<JsonElement>("/events?limit=1000");
        return [.. events.EnumerateArray().Where(e => e.GetProperty("kind").GetString() == kind && e.GetProperty("organization_id").GetString() == organizationId)];
    }

    private static Task EventuallyAsync(Func<bool> condition) => EventuallyAsync(() => Task.FromResult(condition()));

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!await condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
