using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Cli;
using Demiurge.Hosting;
using Demiurge.Tests.Gateways;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.Cli;

public sealed class PoolCommandTests : IAsyncLifetime
{
    private readonly PoolFixture _pool = new();

    // No worker starts by itself; those `pool create` starts are real, on ports of their own.
    public ValueTask InitializeAsync()
    {
        _pool.Api.ExtraSettings[Settings.PoolMax.ConfigurationKey] = "2";
        _pool.Api.ExtraSettings[Settings.PoolPorts.ConfigurationKey] = PortBlocks.Next();
        return _pool.InitializeAsync();
    }

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    [Fact]
    public async Task PoolAllocateListStatusRelease_DriveTheRealPool()
    {
        var (_, gatewayId, _) = await _pool.AddReadyWorkerAsync();
        var (owner, organizationId) = await _pool.NewOrganizationAsync();

        var allocated = (await RunAsync(owner.Token, "pool", "allocate", organizationId, "-o", "json")).AssertExitCode(ExitCodes.Success).Json();
        var list = (await RunAsync(_pool.Api.AdminToken, "pool", "list", "-o", "json")).AssertExitCode(ExitCodes.Success).Json();
        var status = (await RunAsync(_pool.Api.AdminToken, "pool", "status")).AssertExitCode(ExitCodes.Success);
        var released = (await RunAsync(_pool.Api.AdminToken, "pool", "release", gatewayId, "-o", "json")).AssertExitCode(ExitCodes.Success).Json();

        Assert.Equal(gatewayId, allocated.GetProperty("gateway_id").GetString());
        Assert.Equal($"org-{organizationId}.demiurge.localhost", allocated.GetProperty("gateway_hostname").GetString());
        Assert.Equal(organizationId, Assert.Single(list.EnumerateArray()).GetProperty("organization_id").GetString());
        Assert.Contains(status.OutputLines(), l => l.StartsWith("allocations", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
        // The test worker cannot drain, so the release ends the allocation and retires the worker.
        Assert.Equal("unhealthy", released.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, released.GetProperty("organization_id").ValueKind);
    }

    [Fact]
    public async Task PoolCreate_StartsWorkersNow_ThenRefusesMoreThanPoolMax()
    {
        var created = (await RunAsync(_pool.Api.AdminToken, "pool", "create", "2", "-o", "json")).AssertExitCode(ExitCodes.Success).Json();
        var refused = (await RunAsync(_pool.Api.AdminToken, "pool", "create", "1")).AssertExitCode(ExitCodes.Failed);

        Assert.Equal(2, created.GetArrayLength());
        Assert.All(created.EnumerateArray(), g => Assert.Equal("starting", g.GetProperty("state").GetString()));
        Assert.Equal(2, created.EnumerateArray().Select(g => g.GetProperty("port").GetInt32()).Distinct().Count());
        Assert.Contains("(409)", refused.Error, StringComparison.Ordinal);
        Assert.Contains("--pool-max 2", refused.Error, StringComparison.Ordinal);
        // An admin action: audited as the admin's, once, and not for the refused request.
        var events = _pool.Api.ControlPlane.Services.GetRequiredService<Demiurge.Events.IEventStore>();
        var scaled = Assert.Single(await events.EventListAsync(0, 1000, CancellationToken.None), e => e.Kind == "pool.scaled");
        var admin = await _pool.Api.Admin.GetFromJsonAsync<JsonElement>("/users/me");
        Assert.Equal("by a system admin: +2", scaled.Detail);
        Assert.Equal(admin.GetProperty("user_id").GetString(), scaled.ActorUserId);
        await WaitForAsync(async () => (await _pool.Store.GatewayListAsync(CancellationToken.None)).Count(g => g.State == Demiurge.Gateways.GatewayState.Ready) == 2);
    }

    [Fact]
    public async Task PoolRelease_ByOrganization_ReleasesItsGateway()
    {
        var (_, gatewayId, _) = await _pool.AddReadyWorkerAsync();
        var (owner, organizationId) = await _pool.NewOrganizationAsync();
        (await RunAsync(owner.Token, "pool", "allocate", organizationId)).AssertExitCode(ExitCodes.Success);

        var released = (await RunAsync(_pool.Api.AdminToken, "pool", "release", "--org", organizationId, "-o", "json")).AssertExitCode(ExitCodes.Success).Json();
        var again = (await RunAsync(_pool.Api.AdminToken, "pool", "release", "--org", organizationId)).AssertExitCode(ExitCodes.Failed);

        Assert.Equal(gatewayId, released.GetProperty("gateway_id").GetString());
        Assert.Equal("unhealthy", released.GetProperty("state").GetString());
        Assert.Null(await _pool.Store.AllocationCurrentByOrganizationAsync(organizationId, CancellationToken.None));
        Assert.Contains("(409)", again.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("some-gateway", "--org", "some-org")]
    public async Task PoolRelease_NeitherOrBothGatewayAndOrganization_IsAUsageError(params string[] arguments)
    {
        var result = (await RunAsync(_pool.Api.AdminToken, ["pool", "release", .. arguments])).AssertExitCode(ExitCodes.Usage);

        Assert.Contains("either a gateway id or --org", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PoolList_AsNonAdmin_ExitsFailedWithForbidden()
    {
        var (owner, _) = await _pool.NewOrganizationAsync();

        var result = (await RunAsync(owner.Token, "pool", "list")).AssertExitCode(ExitCodes.Failed);

        Assert.Contains("(403)", result.Error, StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    private Task<CliResult> RunAsync(string token, params string[] args) =>
        CliResult.RunAsync([.. args, "--server", _pool.Api.ApiUrl.ToString(), "--token", token]);
}
