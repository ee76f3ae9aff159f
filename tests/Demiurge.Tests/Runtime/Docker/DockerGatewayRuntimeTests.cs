using Demiurge.Hosting;
using Demiurge.Runtime;
using Demiurge.Runtime.Docker;
using Demiurge.Store;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Demiurge.Tests.Runtime.Docker;

/// <summary>The Docker runtime on its own, against the real engine, with workers whose control plane never answers.</summary>
public sealed class DockerGatewayRuntimeTests : IAsyncLifetime
{
    private readonly global::Docker.DotNet.DockerClient _docker = DockerEngine.Client();
    private readonly List<string> _gatewayIds = [];
    private DockerGatewayRuntime _runtime = null!;

    public ValueTask InitializeAsync()
    {
        _runtime = Runtime(DockerEngine.Endpoint);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task RemoveLeftoversAsync_GoneGateway_RemovesOnlyItsContainer()
    {
        var (gone, _) = await StartAsync();
        var (live, livePid) = await StartAsync();
        var stranger = Ids.New();

        await _runtime.RemoveLeftoversAsync(new HashSet<string> { gone, stranger }, CancellationToken.None);

        Assert.Null(await DockerEngine.InspectAsync(_docker, gone));
        Assert.False(await _runtime.IsRunningAsync(0, gone, CancellationToken.None));
        Assert.True(await _runtime.IsRunningAsync(livePid, live, CancellationToken.None));
    }

    [Fact]
    public async Task IsRunningAsync_ContainerExited_IsFalseUntilRemoved()
    {
        var (gatewayId, pid) = await StartAsync();

        await _docker.Containers.KillContainerAsync(DockerGatewayRuntime.ContainerName(gatewayId), new());
        await _docker.Containers.WaitContainerAsync(DockerGatewayRuntime.ContainerName(gatewayId));

        Assert.False(await _runtime.IsRunningAsync(pid, gatewayId, CancellationToken.None));
        Assert.NotNull(await DockerEngine.InspectAsync(_docker, gatewayId));
        await _runtime.RemoveLeftoversAsync(new HashSet<string> { gatewayId }, CancellationToken.None);
        Assert.Null(await DockerEngine.InspectAsync(_docker, gatewayId));
    }

    [Fact]
    public async Task StopAsync_ContainerThatIsAlreadyGone_DoesNothing()
    {
        var (gatewayId, pid) = await StartAsync();
        await _runtime.StopAsync(pid, gatewayId, TimeSpan.FromSeconds(5), CancellationToken.None);

        await _runtime.StopAsync(pid, gatewayId, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Null(await DockerEngine.InspectAsync(_docker, gatewayId));
    }

    /// <summary>An engine that does not answer must not read as "every container is gone": the pool would replace them all.</summary>
    [Fact]
    public async Task IsRunningAsync_EngineUnreachable_Throws()
    {
        using var dataDir = new Infrastructure.TempDirectory();
        await using var runtime = Runtime($"unix://{dataDir.Path}/no-docker.sock");

        await Assert.ThrowsAnyAsync<HttpRequestException>(async () => await runtime.IsRunningAsync(1, Ids.New(), CancellationToken.None));
    }

    /// <summary>A container whose worker keeps trying to report ready to a control plane that is not there.</summary>
    private async Task<(string GatewayId, int Pid)> StartAsync()
    {
        var gatewayId = Ids.New();
        _gatewayIds.Add(gatewayId);
        var launch = new GatewayLaunch(gatewayId, FreePorts.Tcp(), "gw_test", TestSigningKey.Variable, new Uri($"http://127.0.0.1:{FreePorts.Tcp()}"), "off", "1h", "1h", "20000-29999");
        var pid = await _runtime.StartAsync(launch, CancellationToken.None);
        Assert.True(pid > 0);
        return (gatewayId, pid);
    }

    private static DockerGatewayRuntime Runtime(string endpoint) =>
        new(Options.Create(new DemiurgeOptions { Runtime = new RuntimeOptions { Provider = RuntimeOptions.DockerProvider, Docker = new DockerRuntimeOptions { Endpoint = endpoint, Memory = new DockerMemory(200L << 20) } } }),
            NullLogger<DockerGatewayRuntime>.Instance);

    public async ValueTask DisposeAsync()
    {
        await _runtime.DisposeAsync();
        await DockerEngine.RemoveAsync(_docker, _gatewayIds);
        _docker.Dispose();
    }
}
