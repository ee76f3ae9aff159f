using Demiurge.Runtime.Docker;

namespace Demiurge.Runtime;

/// <summary>Where gateways and workloads run (section <c>Demiurge:Runtime</c>).</summary>
public sealed class RuntimeOptions
{
    public const string ProcessProvider = "process";
    public const string DockerProvider = "docker";

    /// <summary><c>process</c> (child processes on loopback ports) or <c>docker</c>.</summary>
    public string Provider { get; set; } = ProcessProvider;

    /// <summary>The Docker runtime's settings, used with <c>--runtime docker</c>.</summary>
    public DockerRuntimeOptions Docker { get; set; } = new();
}
