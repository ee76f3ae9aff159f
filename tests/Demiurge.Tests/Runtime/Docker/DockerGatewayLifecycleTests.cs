using System.Text;
using System.Text.Json;
using Demiurge.Gateways;
using Demiurge.Runtime;
using Demiurge.Runtime.Docker;
using Demiurge.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.Runtime.Docker;

/// <summary>
/// The gateway end-to-end suite (inherited from <see cref="GatewayLifecycleTests"/>) with every
/// worker in a container of the locally built image, plus what only containers have.
/// </summary>
public sealed class DockerGatewayLifecycleTests : GatewayLifecycleTests
{
    private readonly global::Docker.DotNet.DockerClient _docker = DockerEngine.Client();

    protected override void ConfigureRuntime(Dictionary<string, string?> settings)
    {
        settings[RuntimeSettings.Provider.ConfigurationKey] = RuntimeOptions.DockerProvider;
        settings[RuntimeSettings.DockerMemory.ConfigurationKey] = "300m";
        settings[RuntimeSettings.DockerCpus.ConfigurationKey] = "0.5";
    }

    [Fact]
    public async Task Container_HasLimitsLabelsAndAHealthCheckThatPasses()
    {
        await StartAsync(poolSize: 1, max: 1);
        var gateway = await ReadyGatewayAsync();
        var gatewayId = gateway.GetProperty("gateway_id").GetString()!;

        var container = await WaitForAsync("the health check to pass", async () =>
            await DockerEngine.InspectAsync(_docker, gatewayId) is { State.Health.Status: "healthy" } healthy ? healthy : null);

        var host = container.HostConfig!;
        var config = container.Config!;
        Assert.Equal(300L << 20, host.Memory);
        Assert.Equal(500_000_000, host.NanoCPUs);
        Assert.Equal("host", host.NetworkMode);
        Assert.True(host.ReadonlyRootfs);
        Assert.Equal(gatewayId, config.Labels![DockerDriver.GatewayIdLabel]);
        Assert.Equal("gateway", config.Labels[DockerDriver.RoleLabel]);
        Assert.Equal(["CMD", GatewayImage.Entrypoint, "probe", gateway.GetProperty("address").GetString() + "/collab/ping"], config.Healthcheck!.Test!);
        Assert.Equal("10001:10001", config.User);
        Assert.Equal(gateway.GetProperty("pid").GetInt32(), (int)container.State!.Pid);
        var image = await _docker.Images.InspectImageAsync(config.Image);
        Assert.EndsWith(image.Config!.Labels![GatewayImage.HashLabel][..16], config.Image, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Container_RemovedBehindOurBack_IsReplaced()
    {
        await StartAsync(poolSize: 1, max: 2);
        var victim = (await ReadyGatewayAsync()).GetProperty("gateway_id").GetString()!;

        await _docker.Containers.RemoveContainerAsync(DockerDriver.ContainerName(victim), new() { Force = true });

        var replacement = await WaitForAsync("the removed container to be gone and replaced", async () =>
        {
            var gateways = await GatewaysAsync();
            return gateways.Any(g => g.GetProperty("gateway_id").GetString() == victim && g.GetProperty("state").GetString() == "gone")
                ? gateways.Where(g => g.GetProperty("state").GetString() == "ready").Select(g => g.GetProperty("gateway_id").GetString()).FirstOrDefault()
                : null;
        });
        Assert.NotEqual(victim, replacement);
        Assert.True((await DockerEngine.InspectAsync(_docker, replacement))?.State?.Running);
    }

    [Fact]
    public async Task StopAsync_ServingWorker_PushesItsDataThenTheContainerIsRemoved()
    {
        // No autosave and no inactivity release: only the stop's final push can save the write.
        await StartAsync(poolSize: 1, max: 2, inactivity: "off", autosave: "1h");
        var gateway = await ReadyGatewayAsync();
        var gatewayId = gateway.GetProperty("gateway_id").GetString()!;
        var organization = await CreateOrganizationAsync("Stopped");
        var project = await CreateProjectAsync(organization, "p");
        Assert.Equal(gatewayId, await StartGatewayAsync(organization));
        await PutStateAsync(gateway.GetProperty("address").GetString()!, project, "pushed on SIGTERM");
        Assert.Equal(0, await DataVersionAsync(organization));

        var driver = ControlPlane.Services.GetRequiredService<IInstanceDriver>();
        var instance = (await ControlPlane.Services.GetRequiredService<IGatewayStore>().GatewayGetAsync(gatewayId, CancellationToken.None))!.Instance!;
        await driver.StopAsync(instance, TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.Null(await DockerEngine.InspectAsync(_docker, gatewayId));
        var stored = await ControlPlane.Services.GetRequiredService<IGatewayStore>().OrganizationDataGetAsync(organization, CancellationToken.None);
        Assert.Equal("pushed on SIGTERM", Encoding.UTF8.GetString(Convert.FromBase64String(stored.Projects[project])));
    }

    private async Task<JsonElement> ReadyGatewayAsync() =>
        (await WaitForAsync("a ready gateway", async () =>
            (await GatewaysAsync()).FirstOrDefault(g => g.GetProperty("state").GetString() == "ready") is { ValueKind: JsonValueKind.Object } g ? g : (JsonElement?)null))!.Value;

    public override async ValueTask DisposeAsync()
    {
        var gatewayIds = ControlPlane is null ? [] : (await GatewaysAsync()).Select(g => g.GetProperty("gateway_id").GetString()!).ToList();
        await base.DisposeAsync();
        // The control plane stops and removes its containers; this only sweeps after a failure.
        await DockerEngine.RemoveAsync(_docker, gatewayIds);
        _docker.Dispose();
    }
}
