namespace Demiurge.Runtime;

/// <summary>Where gateways and workloads run (section <c>Demiurge:Runtime</c>).</summary>
public sealed class RuntimeOptions
{
    public const string Process = "process";
    public const string Docker = "docker";

    /// <summary><c>process</c> (child processes on loopback ports) or <c>docker</c>.</summary>
    public string Provider { get; set; } = Process;
}
