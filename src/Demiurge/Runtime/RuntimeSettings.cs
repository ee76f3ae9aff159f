using Demiurge.Runtime.Docker;

namespace Demiurge.Runtime;

/// <summary>The runtime's rows of the settings table, and their validation.</summary>
internal static class RuntimeSettings
{
    public static readonly Setting Provider = new("Runtime:Provider", typeof(string), "Runtime for gateways: process or docker.", Name: "Runtime");
    public static readonly Setting DockerEndpoint = new("Runtime:Docker:Endpoint", typeof(string), "Docker Engine API (unix:///var/run/docker.sock or tcp://host:port).", Name: "Docker:Endpoint");
    public static readonly Setting DockerImage = new("Runtime:Docker:Image", typeof(string), "Repository of the locally built gateway image.", Name: "Docker:Image");
    public static readonly Setting DockerMemory = new("Runtime:Docker:Memory", typeof(DockerMemory), "Memory limit per gateway container (e.g. 512m, 1g).", Name: "Docker:Memory");
    public static readonly Setting DockerCpus = new("Runtime:Docker:Cpus", typeof(double), "CPUs per gateway container (e.g. 1, 0.5).", Name: "Docker:Cpus");

    public static readonly IReadOnlyList<Setting> All = [Provider, DockerEndpoint, DockerImage, DockerMemory, DockerCpus];

    public static void Validate(RuntimeOptions options, List<string> errors)
    {
        if (options.Provider is not (RuntimeOptions.ProcessProvider or RuntimeOptions.DockerProvider))
        {
            errors.Add($"{Provider.Describe()} '{options.Provider}' is not one of {RuntimeOptions.ProcessProvider}, {RuntimeOptions.DockerProvider}.");
        }

        var docker = options.Docker;
        if (!Uri.TryCreate(docker.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("unix" or "tcp" or "http"))
        {
            errors.Add($"{DockerEndpoint.Describe()} '{docker.Endpoint}' must be a unix://, tcp:// or http:// address.");
        }

        // Docker's own rule for repository names: lower case, digits and separators.
        if (string.IsNullOrEmpty(docker.Image) || !System.Text.RegularExpressions.Regex.IsMatch(docker.Image, "^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"))
        {
            errors.Add($"{DockerImage.Describe()} '{docker.Image}' is not a valid image repository (lower case letters, digits, '.', '_', '-', '/').");
        }

        if (docker.Memory.Bytes < 64L << 20)
        {
            errors.Add($"{DockerMemory.Describe()} '{docker.Memory}' must be a size of at least 64m (e.g. 512m, 1g).");
        }

        // Docker itself refuses more CPUs than its host has; that host may not be this machine.
        if (!double.IsFinite(docker.Cpus) || docker.Cpus < 0.01)
        {
            errors.Add($"{DockerCpus.Describe()} {docker.Cpus} must be at least 0.01.");
        }
    }
}
