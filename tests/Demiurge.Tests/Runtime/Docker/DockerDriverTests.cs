using Demiurge.Common;
using Demiurge.Hosting;
using Demiurge.Runtime;
using Demiurge.Runtime.Docker;
using Demiurge.Store;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Demiurge.Tests.Runtime.Docker;

/// <summary>The Docker driver on its own, against the real engine, with workers whose control plane never answers.</summary>
public sealed class DockerDriverTests : IAsyncLifetime
{
    private readonly global::Docker.DotNet.DockerClient _docker = DockerEngine.Client();
    private readonly List<string> _gatewayIds = [];
    private DockerDriver _runtime = null!;

    public ValueTask InitializeAsync()
    {
        _runtime = Runtime(DockerEngine.Endpoint);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task RemoveLeftoversAsync_GoneGateway_RemovesOnlyItsContainer()
    {
        var gone = await StartAsync();
        var live = await StartAsync();
        var stranger = Ids.New();

        await _runtime.RemoveLeftoversAsync(new HashSet<string> { gone.InstanceId, stranger }, CancellationToken.None);

        Assert.Null(await DockerEngine.InspectAsync(_docker, gone.InstanceId));
        Assert.False(await _runtime.IsRunningAsync(gone, CancellationToken.None));
        Assert.True(await _runtime.IsRunningAsync(live, CancellationToken.None));
    }

    [Fact]
    public async Task IsRunningAsync_ContainerExited_IsFalseUntilRemoved()
    {
        var instance = await StartAsync();

        await _docker.Containers.KillContainerAsync(DockerDriver.ContainerName(instance.InstanceId), new());
        await _docker.Containers.WaitContainerAsync(DockerDriver.ContainerName(instance.InstanceId));

        Assert.False(await _runtime.IsRunningAsync(instance, CancellationToken.None));
        Assert.NotNull(await DockerEngine.InspectAsync(_docker, instance.InstanceId));
        await _runtime.RemoveLeftoversAsync(new HashSet<string> { instance.InstanceId }, CancellationToken.None);
        Assert.Null(await DockerEngine.InspectAsync(_docker, instance.InstanceId));
    }

    [Fact]
    public async Task StopAsync_ContainerThatIsAlreadyGone_DoesNothing()
    {
        var instance = await StartAsync();
        await _runtime.StopAsync(instance, TimeSpan.FromSeconds(5), CancellationToken.None);

        await _runtime.StopAsync(instance, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Null(await DockerEngine.InspectAsync(_docker, instance.InstanceId));
    }

    /// <summary>An engine that does not answer must not read as "every container is gone": the pool would replace them all.</summary>
    [Fact]
    public async Task IsRunningAsync_EngineUnreachable_Throws()
    {
        using var dataDir = new Infrastructure.TempDirectory();
        await using var runtime = Runtime($"unix://{dataDir.Path}/no-docker.sock");

        var instance = new InstanceHandle(RuntimeOptions.DockerProvider, Ids.New(), InstanceHandle.LocalNode, [new Uri("http://127.0.0.1:1")], [1], 1);

        await Assert.ThrowsAnyAsync<HttpRequestException>(async () => await runtime.IsRunningAsync(instance, CancellationToken.None));
    }

    /// <summary>A container whose worker keeps trying to report ready to a control plane that is not there.</summary>
    private async Task<InstanceHandle> StartAsync()
    {
        var gatewayId = Ids.New();
        _gatewayIds.Add(gatewayId);
        var launch = new GatewayLaunch(gatewayId, FreePorts.Tcp(), "gw_test", TestSigningKey.Variable, new Uri($"http://127.0.0.1:{FreePorts.Tcp()}"), "off", "1h", "1h", "20000-29999");
        var instance = await _runtime.StartAsync(launch.Spec, CancellationToken.None);
        Assert.True(instance.ProcessId > 0);
        Assert.Equal((gatewayId, RuntimeOptions.DockerProvider, launch.Port), (instance.InstanceId, instance.Driver, Assert.Single(instance.Ports)));
        return instance;
    }

    private static DockerDriver Runtime(string endpoint) =>
        new(Options.Create(new RuntimeOptions { Provider = RuntimeOptions.DockerProvider, Docker = new DockerRuntimeOptions { Endpoint = endpoint, Memory = new DockerMemory(200L << 20) } }),
            NullLogger<DockerDriver>.Instance);

    public async ValueTask DisposeAsync()
    {
        await _runtime.DisposeAsync();
        await DockerEngine.RemoveAsync(_docker, _gatewayIds);
        _docker.Dispose();
    }
}
