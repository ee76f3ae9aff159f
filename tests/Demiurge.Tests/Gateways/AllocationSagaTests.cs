using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Events;
using Demiurge.Gateways;
using Demiurge.Identity;
using Demiurge.Protocol;
using Demiurge.Store;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.Gateways;

public sealed class AllocationSagaTests : IAsyncLifetime
{
    // A fresh pool per test: the claim takes the longest-ready gateway, so workers must not carry over.
    private readonly PoolFixture _pool = new();

    public ValueTask InitializeAsync() => _pool.InitializeAsync();

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    [Fact]
    public async Task Start_ReadyGateway_ClaimsPublishesRoutesAndHandshakes()
    {
        var (worker, gatewayId, _) = await _pool.AddReadyWorkerAsync();
        var (owner, organizationId) = await _pool.NewOrganizationAsync();

        using var response = await PoolFixture.StartGatewayAsync(owner.Client, organizationId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(gatewayId, body.GetProperty("gateway_id").GetString());
        Assert.Equal($"org-{organizationId}.demiurge.localhost", body.GetProperty("gateway_hostname").GetString());
        Assert.Equal(["127.0.0.1"], _pool.Resolve($"org-{organizationId}.demiurge.localhost"));
        Assert.Equal(["127.0.0.1"], _pool.Resolve($"uc-1.org-{organizationId}.demiurge.localhost"));
        Assert.Equal(worker.Address, _pool.EdgeRoute(organizationId));
        Assert.Equal(organizationId, worker.Config!.Value.GetProperty("organization_id").GetString());
        Assert.Contains(worker.Config.Value.GetProperty("members").EnumerateArray(), m => m.GetProperty("user_id").GetString() == owner.UserId && m.GetProperty("role").GetString() == "owner");
        Assert.Equal(300, worker.Config.Value.GetProperty("inactivity_timeout_seconds").GetDouble());
        var gateway = await _pool.Store.GatewayGetAsync(gatewayId, CancellationToken.None);
        Assert.Equal(GatewayState.Allocated, gateway!.State);
        var allocation = await _pool.Store.AllocationCurrentByOrganizationAsync(organizationId, CancellationToken.None);
        Assert.Equal(AllocationStep.Active, allocation!.Step);
    }

    [Fact]
    public async Task Start_Repeated_ReturnsTheSameGatewayWithoutAnotherHandshake()
    {
        var (worker, gatewayId, _) = await _pool.AddReadyWorkerAsync();
        var (owner, organizationId) = await _pool.NewOrganizationAsync();
        using var first = await PoolFixture.StartGatewayAsync(owner.Client, organizationId);

        using var second = await PoolFixture.StartGatewayAsync(owner.Client, organizationId);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(gatewayId, (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("gateway_id").GetString());
        Assert.Equal(1, worker.Handshakes);
    }

    [Fact]
    public async Task Start_CallerLeftMidSaga_TheSagaFinishesAndALaterStartRunsAfresh()
    {
        var (worker, _, _) = await _pool.AddReadyWorkerAsync();
        var (owner, organizationId) = await _pool.NewOrganizationAsync();
        worker.HandshakeDelay = TimeSpan.FromMilliseconds(500);
        using (var impatient = new HttpClient { BaseAddress = _pool.Api.ApiUrl, Timeout = TimeSpan.FromMilliseconds(100) })
        {
            impatient.DefaultRequestHeaders.Authorization = new("Bearer", owner.Token);
            await Assert.ThrowsAnyAsync<TaskCanceledException>(() => PoolFixture.StartGatewayAsync(impatient, organizationId));
        }

        // The saga goes on without its caller and activates.
        var first = await WaitForActiveAsync(organizationId);
        worker.HandshakeDelay = TimeSpan.Zero;
        using (await worker.PostAsync(GatewayPaths.Stop, new { organization_id = organizationId }))
        {
        }

        await _pool.AddReadyWorkerAsync();
        using var again = await PoolFixture.StartGatewayAsync(owner.Client, organizationId);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.NotEqual(first.AllocationId, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("allocation_id").GetString());
        Assert.Equal(AllocationStep.Active, (await _pool.Store.AllocationCurrentByOrganizationAsync(organizationId, CancellationToken.None))!.Step);
    }

    private async Task<Allocation> WaitForActiveAsync(string organizationId)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await _pool.Store.AllocationCurrentByOrganizationAsync(organizationId, CancellationToken.None) is { Step: AllocationStep.Active } active)
            {
                return active;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The saga did not finish without its caller.");
    }

    [Fact]
    public async Task Release_OfAStaleAllocation_LeavesTheNextAllocationsRouteAndRecords()
    {
        var (first, _, _) = await _pool.AddReadyWorkerAsync();
        var (owner, organizationId) = await _pool.NewOrganizationAsync();
        using (await PoolFixture.StartGatewayAsync(owner.Client, organizationId))
        {
        }

        var stale = (await _pool.Store.AllocationCurrentByOrganizationAsync(organizationId, CancellationToken.None))!;
        using (await first.PostAsync(GatewayPaths.Stop, new { organization_id = organizationId }))
        {
        }

        var (second, _, _) = await _pool.AddReadyWorkerAsync();
        using (var again = await PoolFixture.StartGatewayAsync(owner.Client, organizationId))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        // An admin's release that read the first allocation before it ended arrives late.
        var allocator = _pool.Api.ControlPlane.Services.GetRequiredService<GatewayAllocator>();
        Assert.False(await allocator.ReleaseAsync(stale, "late release", GatewayState.Releasing, null, CancellationToken.None));

        Assert.Equal(["127.0.0.1"], _pool.Resolve($"org-{organizationId}.demiurge.localhost"));
        Assert.Equal(second.Address, _pool.EdgeRoute(organizationId));
    }

    [Fact]
    public async Task Start_NotAMember_Returns404AndClaimsNothing()
    {
        var (_, gatewayId, _) = await _pool.AddReadyWorkerAsync();
        var (_, organizationId) = await _pool.NewOrganizationAsync();
        var outsider = await _pool.Api.CreateUserAsync();

        using var response = await PoolFixture.StartGatewayAsync(outsider.Client, organizationId);

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, "not-found");
        Assert.Equal(GatewayState.Ready, (await _pool.Store.GatewayGetAsync(gatewayId, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Config_AutoReleaseOff_HasNoInactivityTimeout()
    {
        var (worker, _, _) = await _pool.AddReadyWorkerAsync();
        var (owner, organizationId) = await _pool.NewOrganizationAsync();
        using (var patch = await owner.Client.PatchAsJsonAsync($"/orgs/{organizationId}", new { gateway_auto_release = false }))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        using var started = await PoolFixture.StartGatewayAsync(owner.Client, organizationId);

        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.Equal(JsonValueKind.Null, worker.Config!.Value.GetProperty("inactivity_timeout_seconds").ValueKind);
    }

    [Fact]
    public async Task HandshakeToken_IsSingleUse()
    {
        var (worker, _, _) = await _pool.AddReadyWorkerAsync();
        var (owner, organizationId) = await _pool.NewOrganizationAsync();
        using var started = await PoolFixture.StartGatewayAsync(owner.Client, organizationId);
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);

        using var replay = await _pool.Api.Client().PostAsync(GatewayPaths.Config, ProtocolJson.Content(new GatewayConfigRequest { HandshakeToken = worker.LastHandshakeToken }));

        await Problems.AssertProblemAsync(replay, HttpStatusCode.Unauthorized, "unauthorized");
    }

    public static TheoryData<string> FailingSteps => ["dns", "route", "handshake"];

    [Theory]
    [MemberData(nameof(FailingSteps))]
    public async Task Start_StepFails_UndoesEveryFinishedStepAndLeavesNoTrace(string step)
    {
        var (worker, gatewayId, _) = await _pool.AddReadyWorkerAsync();
        var (owner, organizationId) = await _pool.NewOrganizationAsync();
        _pool.Faults.FailDns = step == "dns";
        _pool.Faults.FailRoute = step == "route";
        worker.FailHandshakeWith = step == "handshake" ? HttpStatusCode.InternalServerError : null;
        HttpResponseMessage response;
        try
        {
            response = await PoolFixture.StartGatewayAsync(owner.Client, organizationId);
        }
        finally
        {
            _pool.Faults.FailDns = _pool.Faults.FailRoute = false;
        }

        using (response)
        {
            var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadGateway, "allocation-failed");
            Assert.Contains(step, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Null(await _pool.Store.AllocationCurrentByOrganizationAsync(organizationId, CancellationToken.None));
        Assert.Empty(_pool.Resolve($"org-{organizationId}.demiurge.localhost"));
        Assert.Empty(_pool.Resolve($"uc-1.org-{organizationId}.demiurge.localhost"));
        Assert.Null(_pool.EdgeRoute(organizationId));
        // A gateway that failed its own handshake is replaced; one that was not at fault goes back to the _pool.
        var expected = step == "handshake" ? GatewayState.Unhealthy : GatewayState.Ready;
        Assert.Equal(expected, (await _pool.Store.GatewayGetAsync(gatewayId, CancellationToken.None))!.State);
        var events = await _pool.Api.Admin.GetFromJsonAsync<JsonElement>("/events?limit=1000");
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("kind").GetString() == GatewayEventKinds.AllocationRolledBack
            && e.GetProperty("organization_id").GetString() == organizationId);
    }

    [Fact]
    public async Task Start_AfterRollback_SucceedsOnRetry()
    {
        var (_, _, _) = await _pool.AddReadyWorkerAsync();
        var (owner, organizationId) = await _pool.NewOrganizationAsync();
        _pool.Faults.FailRoute = true;
        using (await PoolFixture.StartGatewayAsync(owner.Client, organizationId))
        {
            _pool.Faults.FailRoute = false;
        }

        using var retry = await PoolFixture.StartGatewayAsync(owner.Client, organizationId);

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
    }
}
