using Demiurge.Common;
using Demiurge.Dns.Server;
using Demiurge.Edge;
using Demiurge.Events;
using Demiurge.Gateways;
using Demiurge.Hosting;
using Demiurge.Identity;
using Demiurge.Store;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.Gateways;

/// <summary>A control plane that stopped in the middle of a saga leaves a journal; the next one finishes it.</summary>
public sealed class ReconcilerTests
{
    [Theory]
    [InlineData("claimed", "ready")]
    [InlineData("dns", "ready")]
    [InlineData("route", "ready")]
    [InlineData("handshake", "unhealthy")]
    public async Task Restart_SagaLeftAtStep_IsRolledBack(string stepName, string expectedGatewayStateName)
    {
        // A gateway that may have received the handshake is not trusted back into the pool.
        var step = Enum.Parse<AllocationStep>(stepName, ignoreCase: true);
        var expectedGatewayState = Enum.Parse<GatewayState>(expectedGatewayStateName, ignoreCase: true);
        using var dataDir = new TempDirectory();
        string organizationId;
        string allocationId;
        string gatewayId;
        await using (var first = ControlPlane.Create(ControlPlaneFixture.QuietSettings(dataDir.Path), new Dictionary<string, string>()))
        {
            await first.StartAsync(CancellationToken.None);
            var gateways = first.Services.GetRequiredService<IGatewayStore>();
            (organizationId, allocationId, gatewayId) = await LeaveSagaAtAsync(first.Services, gateways, step);
            await first.StopAsync(CancellationToken.None);
        }

        await using var second = ControlPlane.Create(ControlPlaneFixture.QuietSettings(dataDir.Path), new Dictionary<string, string>());
        await second.StartAsync(CancellationToken.None);
        var after = second.Services.GetRequiredService<IGatewayStore>();

        var allocation = await WaitAsync(async () => await after.AllocationGetAsync(allocationId, CancellationToken.None) is { EndedAt: not null } ended ? ended : null);
        Assert.StartsWith("rolled_back", allocation.Outcome, StringComparison.Ordinal);
        Assert.Null(await after.AllocationCurrentByOrganizationAsync(organizationId, CancellationToken.None));
        Assert.Equal(expectedGatewayState, (await after.GatewayGetAsync(gatewayId, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Restart_ActiveAllocationWithoutItsNames_PublishedWhenTheTermBegins()
    {
        // An interval far longer than the test: only the pass that begins the term can publish.
        using var dataDir = new TempDirectory();
        var settings = ControlPlaneFixture.QuietSettings(dataDir.Path);
        settings[Settings.PoolReconcileInterval.ConfigurationKey] = "1h";
        await using var worker = await TestWorker.StartAsync(new Uri("http://127.0.0.1:1/"));
        string organizationId;
        await using (var first = ControlPlane.Create(settings, new Dictionary<string, string>()))
        {
            await first.StartAsync(CancellationToken.None);
            var gateways = first.Services.GetRequiredService<IGatewayStore>();
            // Active in the journal, but no record or route was ever published: the last leader
            // stopped after the journal and before the providers, or the providers lost them.
            string gatewayId;
            (organizationId, _, gatewayId) = await LeaveSagaAtAsync(first.Services, gateways, AllocationStep.Active, worker.Address);
            Assert.True(await gateways.GatewayTransitionAsync(gatewayId, [GatewayState.Allocating], GatewayState.Allocated, null, CancellationToken.None));
            await first.StopAsync(CancellationToken.None);
        }

        await using var second = ControlPlane.Create(settings, new Dictionary<string, string>());
        await second.StartAsync(CancellationToken.None);
        var host = HostNames.Organization(organizationId, second.Options.Domain);
        var table = second.Services.GetRequiredService<EdgeRouteTable>();
        var zone = second.Services.GetRequiredService<ServedZone>();

        await WaitAsync(() => Task.FromResult(table.Find(host)?.Pick() == worker.Address && zone.Current.Lookup(host, DnsType.A).Answers.Any() ? host : null));
    }

    /// <summary>Claims a gateway for a new organization and journals the saga up to <paramref name="step"/>, as a crash would leave it.</summary>
    private static async Task<(string OrganizationId, string AllocationId, string GatewayId)> LeaveSagaAtAsync(IServiceProvider services, IGatewayStore gateways, AllocationStep step, Uri? gatewayAddress = null)
    {
        var now = DateTimeOffset.UtcNow;
        var owner = new User(Ids.New(), "owner", false, now);
        await services.GetRequiredService<IUserStore>().UserCreateAsync(owner, Tokens.Hash(Tokens.New()), Event("test"), CancellationToken.None);
        var organizationId = Ids.New();
        await services.GetRequiredService<Demiurge.Organizations.IOrganizationStore>().OrganizationCreateAsync(new Demiurge.Organizations.Organization(organizationId, "Crashed", now), owner.UserId, Event("test"), CancellationToken.None);
        var gatewayId = Ids.New();
        var address = gatewayAddress ?? new Uri("http://127.0.0.1:1");
        await gateways.GatewayCreateAsync(new Gateway(gatewayId, GatewayState.Starting, "test", address.ToString().TrimEnd('/'), address.Port, null, now, now, null), Tokens.New(), Event("test"), CancellationToken.None);
        Assert.True(await gateways.GatewayTransitionAsync(gatewayId, [GatewayState.Starting], GatewayState.Ready, null, CancellationToken.None));
        var allocationId = Ids.New();
        var claim = await gateways.AllocationClaimAsync(organizationId, allocationId, now, Event(GatewayEventKinds.AllocationClaimed), CancellationToken.None);
        Assert.Equal(gatewayId, claim.Gateway!.GatewayId);
        foreach (var reached in Enum.GetValues<AllocationStep>().Where(s => s > AllocationStep.Claimed && s <= step))
        {
            Assert.True(await gateways.AllocationAdvanceAsync(allocationId, reached, CancellationToken.None));
        }

        return (organizationId, allocationId, gatewayId);
    }

    private static AuditEvent Event(string kind) => new(Ids.New(), kind, null, null, null, null, DateTimeOffset.UtcNow);

    private static async Task<T> WaitAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(50, timeout.Token);
        }
    }
}
