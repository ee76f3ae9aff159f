using Demiurge.Common;
using Demiurge.Events;
using Demiurge.Gateways;
using Demiurge.Identity;
using Demiurge.Store;

namespace Demiurge.Tests.Store;

/// <summary>
/// The pool's races, settled by the store alone: several control planes on one database run
/// these writes at the same time, so no check may be left to a read that precedes the write.
/// </summary>
public abstract partial class StoreContractTests
{
    // Pushes of tests about something else are far from any quota.
    private const long Quota = 1L << 30;

    // Live gateways need distinct ports, and owners distinct names, across one test's helpers.
    private int _nextPort = 7000;

    private IGatewayStore Gateways => Store.Gateways;

    [Fact]
    public async Task AllocationClaimAsync_TenParallelForTenOrganizations_EachGetsADistinctGateway()
    {
        // A claim that queued behind another's row lock and then found it taken would answer
        // "none ready" while nine other gateways were free.
        var gateways = await ReadyGatewaysAsync(10);
        var organizations = await OrganizationsAsync(10);

        var claims = await RunTogetherAsync(organizations, o =>
            Gateways.AllocationClaimAsync(o, Ids.New(), Tick(), NewEvent(GatewayEventKinds.AllocationClaimed, organizationId: o), Ct));

        Assert.All(claims, c => Assert.False(c.Existing));
        Assert.Equal(gateways.Order(StringComparer.Ordinal), claims.Select(c => c.Gateway!.GatewayId).Order(StringComparer.Ordinal));
        Assert.Equal(organizations.Order(StringComparer.Ordinal), claims.Select(c => c.Allocation!.OrganizationId).Order(StringComparer.Ordinal));
        Assert.All(await Gateways.GatewayListAsync(Ct), g => Assert.Equal(GatewayState.Allocating, g.State));
    }

    [Fact]
    public async Task AllocationClaimAsync_TwentyParallelForOneOrganization_OneAllocationTheRestSeeIt()
    {
        await ReadyGatewaysAsync(5);
        var organization = Assert.Single(await OrganizationsAsync(1));

        var claims = await RunTogetherAsync(Enumerable.Range(0, 20), _ =>
            Gateways.AllocationClaimAsync(organization, Ids.New(), Tick(), NewEvent(GatewayEventKinds.AllocationClaimed, organizationId: organization), Ct));

        Assert.Single(claims, c => !c.Existing);
        var allocation = Assert.Single(await Gateways.AllocationListCurrentAsync(Ct));
        Assert.All(claims, c => Assert.Equal(allocation.AllocationId, c.Allocation!.AllocationId));
        var states = (await Gateways.GatewayListAsync(Ct)).Select(g => g.State).ToList();
        Assert.Equal(1, states.Count(s => s == GatewayState.Allocating));
        Assert.Equal(4, states.Count(s => s == GatewayState.Ready));
        Assert.Single(await ListedEventsAsync(), e => e.Kind == GatewayEventKinds.AllocationClaimed);
    }

    [Fact]
    public async Task GatewayCreateAsync_WithAndWithoutBuild_ReadsBackTheBuild()
    {
        var at = Tick();
        var built = new Gateway(Ids.New(), GatewayState.Starting, "process", "http://127.0.0.1", _nextPort++, null, at, at, null, "0123456789abcdef");
        var unknown = built with { GatewayId = Ids.New(), Port = _nextPort++, Build = null };

        await Gateways.GatewayCreateAsync(built, Tokens.New(), NewEvent(GatewayEventKinds.GatewayStarted, subjectId: built.GatewayId), Ct);
        await Gateways.GatewayCreateAsync(unknown, Tokens.New(), NewEvent(GatewayEventKinds.GatewayStarted, subjectId: unknown.GatewayId), Ct);

        Assert.Equal("0123456789abcdef", (await Gateways.GatewayGetAsync(built.GatewayId, Ct))!.Build);
        Assert.Null((await Gateways.GatewayGetAsync(unknown.GatewayId, Ct))!.Build);
        Assert.Equal(["0123456789abcdef"], (await Gateways.GatewayListAsync(Ct)).Select(g => g.Build).OfType<string>());
    }

    [Fact]
    public async Task AllocationRedeemHandshakeAsync_TenParallelSameToken_ExactlyOneRedeems()
    {
        var allocation = await ClaimAsync();
        var handshake = Tokens.Hash("handshake");
        await Gateways.AllocationSetHandshakeAsync(allocation.AllocationId, handshake, Tick().AddHours(1), Ct);

        var redeemed = await RunTogetherAsync(Enumerable.Range(0, 10), i =>
            Gateways.AllocationRedeemHandshakeAsync(handshake, Tokens.Hash($"allocation-token-{i}"), Tick(), Ct));

        var winner = Assert.Single(redeemed, r => r is not null);
        Assert.Equal(allocation.AllocationId, winner!.AllocationId);
        // The token the winner set is the one stored: no loser overwrote it.
        var index = Array.IndexOf(redeemed, winner);
        Assert.Equal(allocation.AllocationId, (await Gateways.AllocationFindByTokenHashAsync(Tokens.Hash($"allocation-token-{index}"), Ct))?.AllocationId);
    }

    [Fact]
    public async Task AllocationEndAsync_TenParallel_ExactlyOneEndsWithOneEvent()
    {
        var allocation = await ClaimAsync();
        var eventsBefore = (await ListedEventsAsync()).Count;

        var ended = await RunTogetherAsync(Enumerable.Range(0, 10), i =>
            Gateways.AllocationEndAsync(allocation.AllocationId, $"released {i}", GatewayState.Ready, Tick(), NewEvent(GatewayEventKinds.AllocationReleased), Ct));

        Assert.Single(ended, e => e);
        Assert.Equal($"released {Array.IndexOf(ended, true)}", (await Gateways.AllocationGetAsync(allocation.AllocationId, Ct))!.Outcome);
        Assert.Equal(eventsBefore + 1, (await ListedEventsAsync()).Count);
    }

    [Fact]
    public async Task OrganizationDataPushAsync_TenParallelOnOneBase_ExactlyOneStoredOthersStale()
    {
        var (allocation, token) = await ServingAllocationAsync();
        var project = await ProjectAsync(allocation.OrganizationId);

        // Both the first push (no row yet) and a later one (an update) are raced.
        foreach (var baseVersion in new long[] { 0, 1 })
        {
            var pushes = await RunTogetherAsync(Enumerable.Range(0, 10), i =>
                Gateways.OrganizationDataPushAsync(allocation.OrganizationId, token, baseVersion, new Dictionary<string, string> { [project] = $"content {i}" }, new Dictionary<string, string>(), null, Quota, Tick(), Ct));

            var stored = Assert.Single(pushes, p => p.Outcome == PushOutcome.Stored);
            Assert.Equal(baseVersion + 1, stored.Version);
            Assert.All(pushes.Where(p => p.Outcome != PushOutcome.Stored), p => Assert.Equal((PushOutcome.Stale, baseVersion + 1), (p.Outcome, p.Version)));
            var data = await Gateways.OrganizationDataGetAsync(allocation.OrganizationId, Ct);
            Assert.Equal(baseVersion + 1, data.Version);
            Assert.Equal($"content {Array.IndexOf(pushes, stored)}", data.Projects[project]);
        }
    }

    [Fact]
    public async Task OrganizationDataPushAsync_RacingAllocationEnd_NothingStoredAfterTheEndCommits()
    {
        // A push whose fencing check passes, then lands after the release committed, would
        // write under a successor's pull. Big enough a document to leave a window between the
        // check and the commit; many rounds so that the end commits inside it often.
        var content = new string('A', 1 << 20);
        for (var round = 0; round < 40; round++)
        {
            var (allocation, token) = await ServingAllocationAsync();
            var project = await ProjectAsync(allocation.OrganizationId);
            var (endAt, pushAt, endEvent) = (Tick(), Tick(), NewEvent(GatewayEventKinds.AllocationReleased));
            var versionAfterEnd = -1L;
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var end = Task.Run(async () =>
            {
                await gate.Task;
                var ended = await Gateways.AllocationEndAsync(allocation.AllocationId, "released", GatewayState.Ready, endAt, endEvent, Ct);
                versionAfterEnd = (await Gateways.OrganizationDataGetAsync(allocation.OrganizationId, Ct)).Version;
                return ended;
            });
            var push = Task.Run(async () =>
            {
                await gate.Task;
                return await Gateways.OrganizationDataPushAsync(allocation.OrganizationId, token, 0, new Dictionary<string, string> { [project] = content }, new Dictionary<string, string>(), null, Quota, pushAt, Ct);
            });
            gate.SetResult();

            Assert.True(await end);
            var pushed = await push;
            var final = await Gateways.OrganizationDataGetAsync(allocation.OrganizationId, Ct);
            Assert.True(versionAfterEnd == final.Version, $"Round {round}: the push ({pushed.Outcome}) landed after the allocation's end committed.");
            Assert.Equal(pushed.Outcome == PushOutcome.Stored ? 1 : 0, final.Version);
        }
    }

    [Fact]
    public async Task OrganizationDataPushAsync_UnknownProjectOrOverTheQuota_RefusedAndNothingWritten()
    {
        var (allocation, token) = await ServingAllocationAsync();
        var organization = allocation.OrganizationId;
        var (mine, other) = (await ProjectAsync(organization), Ids.New());
        Assert.Equal(PushOutcome.Stored, (await Gateways.OrganizationDataPushAsync(organization, token, 0, new Dictionary<string, string> { [mine] = "12345" }, new Dictionary<string, string>(), "{}", 10, Tick(), Ct)).Outcome);

        var unknown = await Gateways.OrganizationDataPushAsync(organization, token, 1, new Dictionary<string, string> { [mine] = "1", [other] = "2" }, new Dictionary<string, string>(), null, 10, Tick(), Ct);
        var over = await Gateways.OrganizationDataPushAsync(organization, token, 1, new Dictionary<string, string> { [mine] = "123456789" }, new Dictionary<string, string>(), null, 10, Tick(), Ct);
        Assert.True(await Store.Organizations.OrganizationSetStorageQuotaAsync(organization, 11, NewEvent(EventKinds.OrganizationUpdated, organizationId: organization), Ct));
        var raised = await Gateways.OrganizationDataPushAsync(organization, token, 1, new Dictionary<string, string> { [mine] = "123456789" }, new Dictionary<string, string>(), null, 10, Tick(), Ct);

        Assert.Equal((PushOutcome.UnknownProjects, 1L), (unknown.Outcome, unknown.Version));
        Assert.Equal([other], unknown.UnknownProjectIds);
        Assert.Equal((PushOutcome.QuotaExceeded, 10L, 7L), (over.Outcome, over.QuotaBytes, over.UsedBytes));
        Assert.Equal((PushOutcome.Stored, 2L), (raised.Outcome, raised.Version));
        Assert.Equal("123456789", (await Gateways.OrganizationDataGetAsync(organization, Ct)).Projects[mine]);
        Assert.Equal(11, (await Store.Organizations.OrganizationGetAsync(organization, Ct))!.StorageQuotaBytes);
    }

    [Fact]
    public async Task AllocationListOrphanedAsync_SagaOfAStoreThatIsGone_ListedOnlyWhileUnfinished()
    {
        // A second store on the database, as a control plane restarted after the first one died
        // (on PostgreSQL the first holds no liveness lock here: only leadership takes it).
        var saga = await ClaimAsync();
        var active = await ClaimAsync();
        Assert.True(await Gateways.AllocationAdvanceAsync(active.AllocationId, AllocationStep.Active, Ct));
        Assert.Empty(await Gateways.AllocationListOrphanedAsync(Ct));
        var successor = Own(await CreateStoreAsync()).Gateways;

        var orphans = await successor.AllocationListOrphanedAsync(Ct);

        Assert.Equal([saga.AllocationId], orphans.Select(a => a.AllocationId));
    }

    private async Task<List<string>> ReadyGatewaysAsync(int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = Ids.New();
            var at = Tick();
            await Gateways.GatewayCreateAsync(new Gateway(id, GatewayState.Starting, "test", "http://127.0.0.1", _nextPort++, null, at, at, null),
                Tokens.New(), NewEvent(GatewayEventKinds.GatewayStarted, subjectId: id), Ct);
            Assert.True(await Gateways.GatewayTransitionAsync(id, [GatewayState.Starting], GatewayState.Ready, null, Ct));
            ids.Add(id);
        }

        return ids;
    }

    private async Task<List<string>> OrganizationsAsync(int count)
    {
        var owner = await CreateUserAsync($"owner{_nextPort++}");
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add((await CreateOrganizationAsync(owner.UserId, $"Org {i}")).OrganizationId);
        }

        return ids;
    }

    /// <summary>An allocation past its handshake, and the hash of its allocation token.</summary>
    private protected async Task<(Allocation Allocation, string TokenHash)> ServingAllocationAsync()
    {
        var allocation = await ClaimAsync();
        var handshake = Tokens.Hash("handshake-" + allocation.AllocationId);
        await Gateways.AllocationSetHandshakeAsync(allocation.AllocationId, handshake, Tick().AddHours(1), Ct);
        var token = Tokens.Hash("allocation-token-" + allocation.AllocationId);
        Assert.NotNull(await Gateways.AllocationRedeemHandshakeAsync(handshake, token, Tick(), Ct));
        return (allocation, token);
    }

    /// <summary>A new project of <paramref name="organizationId"/>; its id.</summary>
    private protected async Task<string> ProjectAsync(string organizationId)
    {
        var project = new Demiurge.Projects.Project(Ids.New(), organizationId, "project-" + _nextPort++, Tick());
        Assert.True(await Store.Organizations.ProjectCreateAsync(project, NewEvent(EventKinds.ProjectCreated, organizationId: organizationId, subjectId: project.ProjectId), Ct));
        return project.ProjectId;
    }

    private protected async Task<Allocation> ClaimAsync()
    {
        await ReadyGatewaysAsync(1);
        var organization = Assert.Single(await OrganizationsAsync(1));
        var claim = await Gateways.AllocationClaimAsync(organization, Ids.New(), Tick(), NewEvent(GatewayEventKinds.AllocationClaimed), Ct);
        return claim.Allocation!;
    }
}
