using System.Collections.Concurrent;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Demiurge.Runtime.Docker;

/// <summary>
/// Instances as containers of the locally built <see cref="GatewayImage"/>, through the Docker
/// Engine API. Each container is named after its instance (<c>demiurge-gw-{id}</c>, as gateways
/// are its only instances yet), so the instance id alone finds it again after a restart of the
/// control plane; the handle's process id is the container's main process as the host sees it.
/// Containers share the host's network and listen on 127.0.0.1, as a child process would.
/// </summary>
internal sealed partial class DockerDriver : IInstanceDriver, IAsyncDisposable
{
    public const string GatewayIdLabel = "demiurge.gateway-id";
    public const string RoleLabel = "demiurge.role";
    public const string NamePrefix = "demiurge-gw-";

    private static readonly TimeSpan s_healthInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_removalTimeout = TimeSpan.FromSeconds(30);

    private readonly DockerRuntimeOptions _options;
    private readonly ILogger<DockerDriver> _logger;
    private readonly DockerClient _client;

    // Containers this driver created and has not stopped, by instance id: stopped on disposal.
    private readonly ConcurrentDictionary<string, string> _created = new();

    public DockerDriver(IOptions<RuntimeOptions> options, ILogger<DockerDriver> logger)
    {
        _options = options.Value.Docker;
        _logger = logger;
        _client = new DockerClientBuilder().WithEndpoint(new Uri(_options.Endpoint)).Build();
    }

    public string Name => RuntimeOptions.DockerProvider;

    /// <summary>The image's content hash: the running control plane's own files, hashed once.</summary>
    public string Build => GatewayImage.ContentTag;

    public static string ContainerName(string instanceId) => NamePrefix + instanceId;

    public async Task<InstanceHandle> StartAsync(InstanceSpec spec, CancellationToken cancellationToken)
    {
        var name = ContainerName(spec.InstanceId);
        try
        {
            var image = await GatewayImage.EnsureAsync(_client, _options.Image, _logger, cancellationToken);
            var memory = _options.Memory.Bytes;
            _created[spec.InstanceId] = name;
            await _client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = name,
                Image = image,
                Cmd = [.. spec.Arguments],
                // Visible to whoever may inspect containers, who could read the worker's memory anyway.
                Env = [.. spec.Environment.Select(variable => $"{variable.Key}={variable.Value}")],
                Labels = new Dictionary<string, string> { [RoleLabel] = spec.Role, [GatewayIdLabel] = spec.InstanceId },
                Healthcheck = new HealthcheckConfig
                {
                    // The image has no shell and no curl: demiurge probes its own instance.
                    Test = ["CMD", GatewayImage.Entrypoint, "probe", new Uri(spec.Address, spec.HealthPath).ToString()],
                    Interval = s_healthInterval,
                    Timeout = TimeSpan.FromSeconds(5),
                    Retries = 3,
                    StartPeriod = TimeSpan.FromSeconds(30),
                },
                HostConfig = new HostConfig
                {
                    NetworkMode = "host",
                    Memory = memory,
                    MemorySwap = memory,
                    NanoCPUs = (long)(_options.Cpus * 1e9),
                    ReadonlyRootfs = true,
                    Tmpfs = new Dictionary<string, string> { ["/tmp"] = "rw,nosuid,nodev,size=64m" },
                    SecurityOpt = ["no-new-privileges"],
                    CapDrop = ["ALL"],
                    LogConfig = new LogConfig { Type = "json-file", Config = new Dictionary<string, string> { ["max-size"] = "10m", ["max-file"] = "2" } },
                },
            }, cancellationToken);
            await _client.Containers.StartContainerAsync(name, new ContainerStartParameters(), cancellationToken);
            var started = await _client.Containers.InspectContainerAsync(name, cancellationToken);
            var pid = (int)started.State!.Pid;
            LogStarted(_logger, spec.InstanceId, name, pid, spec.Address.Port);
            return new InstanceHandle(Name, spec.InstanceId, InstanceHandle.LocalNode, [spec.Address], [spec.Address.Port], pid);
        }
        catch (Exception exception) when (exception is DockerApiException or OperationCanceledException)
        {
            // Cancelled mid-request, the engine may yet create the container: it stays listed
            // for disposal, which removes it again.
            await RemoveAsync(name, CancellationToken.None);
            if (exception is DockerApiException)
            {
                throw new InvalidOperationException($"Docker could not start {name}: {exception.Message}", exception);
            }

            throw;
        }
    }

    /// <summary>Whether the instance's container runs; the container name, not the pid, identifies it.</summary>
    public async ValueTask<bool> IsRunningAsync(InstanceHandle instance, CancellationToken cancellationToken)
    {
        try
        {
            var container = await _client.Containers.InspectContainerAsync(ContainerName(instance.InstanceId), cancellationToken);
            return container.State?.Running == true;
        }
        catch (DockerContainerNotFoundException)
        {
            return false;
        }
        catch (DockerApiException exception)
        {
            // Not "gone": an engine in trouble must not get every gateway replaced.
            throw new InvalidOperationException($"Docker could not inspect {ContainerName(instance.InstanceId)}: {exception.Message}", exception);
        }
    }

    /// <summary>SIGTERM (the worker pushes its data), SIGKILL after <paramref name="grace"/>, then the container is removed.</summary>
    public Task StopAsync(InstanceHandle instance, TimeSpan grace, CancellationToken cancellationToken) => StopAsync(instance.InstanceId, grace, cancellationToken);

    /// <summary>Removes the containers of gone instances: exited ones, and any a crash of the control plane left running.</summary>
    public async Task RemoveLeftoversAsync(IReadOnlySet<string> goneInstanceIds, CancellationToken cancellationToken)
    {
        IList<ContainerListResponse> containers;
        try
        {
            containers = await _client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [GatewayIdLabel] = true } },
            }, cancellationToken);
        }
        catch (DockerApiException exception)
        {
            throw new InvalidOperationException($"Docker could not list containers: {exception.Message}", exception);
        }

        // Containers of instances this store does not know belong to another control plane on the same engine.
        foreach (var container in containers.Where(c => c.Labels.TryGetValue(GatewayIdLabel, out var id) && goneInstanceIds.Contains(id)))
        {
            LogRemovedLeftover(_logger, container.Labels[GatewayIdLabel], container.State);
            await RemoveAsync(container.ID, cancellationToken);
        }
    }

    private async Task StopAsync(string instanceId, TimeSpan grace, CancellationToken cancellationToken)
    {
        var name = ContainerName(instanceId);
        try
        {
            await _client.Containers.StopContainerAsync(name,
                new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling(grace.TotalSeconds) }, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            return;
        }
        catch (DockerApiException exception)
        {
            throw new InvalidOperationException($"Docker could not stop {name}: {exception.Message}", exception);
        }

        await RemoveAsync(name, cancellationToken);
        _created.TryRemove(instanceId, out _);
        LogStopped(_logger, instanceId, name);
    }

    private async Task RemoveAsync(string container, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Containers.RemoveContainerAsync(container, new ContainerRemoveParameters { Force = true }, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            // Already gone.
        }
        catch (DockerApiException exception) when (exception.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Someone else (the pool's liveness check, a leftover sweep) is removing it: return once it is gone.
            await WaitUntilRemovedAsync(container, cancellationToken);
        }
    }

    private async Task WaitUntilRemovedAsync(string container, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_removalTimeout);
        try
        {
            while (true)
            {
                await _client.Containers.InspectContainerAsync(container, timeout.Token);
                await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
            }
        }
        catch (DockerContainerNotFoundException)
        {
            // Removed.
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"Docker did not finish removing {container} within {s_removalTimeout.TotalSeconds} s.");
        }
    }

    /// <summary>Stops, in parallel, every container this driver started and nobody stopped (a crash leaves them to be adopted).</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_created.Keys.Select(async instanceId =>
        {
            try
            {
                await StopAsync(instanceId, TimeSpan.FromSeconds(10), CancellationToken.None);
            }
            catch (Exception exception) when (exception is InvalidOperationException or HttpRequestException or IOException)
            {
                LogStopFailed(_logger, exception, instanceId);
            }
        }));
        _client.Dispose();
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Started gateway {GatewayId} as container {Container} (process {Pid}) on port {Port}")]
    private static partial void LogStarted(ILogger logger, string gatewayId, string container, int pid, int port);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Stopped and removed gateway {GatewayId}'s container {Container}")]
    private static partial void LogStopped(ILogger logger, string gatewayId, string container);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Could not stop gateway {GatewayId}'s container")]
    private static partial void LogStopFailed(ILogger logger, Exception exception, string gatewayId);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Removed the {State} container of gone gateway {GatewayId}")]
    private static partial void LogRemovedLeftover(ILogger logger, string gatewayId, string state);
}
