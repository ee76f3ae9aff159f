using Demiurge.Common;
using Demiurge.Hosting;
using Demiurge.Runtime;
using Demiurge.Runtime.Docker;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Runtime;

public sealed class RuntimeSettingsTests
{
    [Fact]
    public void Create_BadDockerSettings_ListsEveryProblem()
    {
        using var dataDir = new TempDirectory();
        var settings = ControlPlaneFixture.QuietSettings(dataDir.Path);
        settings[RuntimeSettings.Provider.ConfigurationKey] = "podman";
        settings[RuntimeSettings.DockerEndpoint.ConfigurationKey] = "/var/run/docker.sock";
        settings[RuntimeSettings.DockerImage.ConfigurationKey] = "Demiurge Gateway";
        settings[RuntimeSettings.DockerMemory.ConfigurationKey] = "lots";
        settings[RuntimeSettings.DockerCpus.ConfigurationKey] = "0";

        var exception = Assert.Throws<ConfigurationException>(() => ControlPlane.Create(settings, new Dictionary<string, string>()));

        Assert.Equal(5, exception.Errors.Count);
        Assert.Contains(exception.Errors, e => e.Contains("--runtime", StringComparison.Ordinal) && e.Contains("podman", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.Contains("--docker-endpoint", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.Contains("--docker-image", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.Contains("--docker-memory", StringComparison.Ordinal) && e.Contains("lots", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.Contains("--docker-cpus", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("512m", 512L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("4096k", 4L << 20)]
    [InlineData("1000000", 1_000_000L)]
    [InlineData("0", null)]
    [InlineData("-5m", null)]
    [InlineData("1.5g", null)]
    [InlineData("m", null)]
    [InlineData("99999999999g", null)]
    public void DockerMemory_TryParse_Sizes(string text, long? expected) =>
        Assert.Equal(expected, DockerMemory.TryParse(text, out var memory) ? memory.Bytes : null);
}
