using System.Globalization;

namespace Demiurge.Runtime.Docker;

/// <summary>How gateways run as containers (section <c>Demiurge:Runtime:Docker</c>), with <c>--runtime docker</c>.</summary>
public sealed class DockerRuntimeOptions
{
    /// <summary>The Docker Engine API: <c>unix:///var/run/docker.sock</c> or <c>tcp://127.0.0.1:2375</c>.</summary>
    public string Endpoint { get; set; } = "unix:///var/run/docker.sock";

    /// <summary>Repository of the gateway image built locally; its tag is the content hash.</summary>
    public string Image { get; set; } = "demiurge-gateway";

    /// <summary>Memory limit of each gateway container, e.g. <c>512m</c> or <c>1g</c> (also its swap limit).</summary>
    public string Memory { get; set; } = "512m";

    /// <summary>CPUs each gateway container may use, e.g. <c>1</c> or <c>0.5</c>.</summary>
    public double Cpus { get; set; } = 1;

    /// <summary>Bytes in a size such as <c>512m</c>: a whole number with an optional k, m or g (powers of 1024); null when malformed.</summary>
    public static long? ParseBytes(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Trim().ToLowerInvariant();
        var shift = text[^1] switch { 'k' => 10, 'm' => 20, 'g' => 30, _ => 0 };
        var digits = shift == 0 ? text : text[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0 && number <= long.MaxValue >> shift
            ? number << shift
            : null;
    }
}
