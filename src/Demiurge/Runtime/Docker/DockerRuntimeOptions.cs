namespace Demiurge.Runtime.Docker;

/// <summary>How gateways run as containers (section <c>Demiurge:Runtime:Docker</c>), with <c>--runtime docker</c>.</summary>
public sealed class DockerRuntimeOptions
{
    /// <summary>The Docker Engine API: <c>unix:///var/run/docker.sock</c> or <c>tcp://127.0.0.1:2375</c>.</summary>
    public string Endpoint { get; set; } = "unix:///var/run/docker.sock";

    /// <summary>Repository of the gateway image built locally; its tag is the content hash.</summary>
    public string Image { get; set; } = "demiurge-gateway";

    /// <summary>Memory limit of each gateway container, e.g. <c>512m</c> or <c>1g</c> (also its swap limit).</summary>
    public DockerMemory Memory { get; set; } = new(512L << 20);

    /// <summary>CPUs each gateway container may use, e.g. <c>1</c> or <c>0.5</c>.</summary>
    public double Cpus { get; set; } = 1;
}
