using System.Text.Json;
using Demiurge.Cli;
using Demiurge.Tests.Gateways;

namespace Demiurge.Tests.Cli;

public sealed class PoolCommandTests : IAsyncLifetime
{
    private readonly PoolFixture _pool = new();

    public ValueTask InitializeAsync() => _pool.InitializeAsync();

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
    public async Task PoolList_AsNonAdmin_ExitsFailedWithForbidden()
    {
        var (owner, _) = await _pool.NewOrganizationAsync();

        var result = (await RunAsync(owner.Token, "pool", "list")).AssertExitCode(ExitCodes.Failed);

        Assert.Contains("(403)", result.Error, StringComparison.Ordinal);
    }

    private Task<CliResult> RunAsync(string token, params string[] args) =>
        CliResult.RunAsync([.. args, "--server", _pool.Api.ApiUrl.ToString(), "--token", token]);
}
