using Docker.DotNet;
using Docker.DotNet.Models;
using Demiurge.Runtime.Docker;

namespace Demiurge.Tests.Runtime.Docker;

/// <summary>
/// The machine's Docker engine, which these tests need for real (<c>./test.sh</c> starts one
/// when none answers). The gateway image is built by the first test that starts a container and
/// found by its content hash by the others, so a test run builds it once.
/// </summary>
internal static class DockerEngine
{
    public static readonly string Endpoint = new DockerRuntimeOptions().Endpoint;

    public static DockerClient Client() => new DockerClientBuilder().WithEndpoint(new Uri(Endpoint)).Build();

    /// <summary>The container of a gateway, or null when there is none.</summary>
    public static async Task<ContainerInspectResponse?> InspectAsync(DockerClient client, string gatewayId)
    {
        try
        {
            return await client.Containers.InspectContainerAsync(DockerDriver.ContainerName(gatewayId));
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Removes the containers of these gateways, whatever a failed test left.</summary>
    public static async Task RemoveAsync(DockerClient client, IEnumerable<string> gatewayIds)
    {
        foreach (var gatewayId in gatewayIds)
        {
            try
            {
                await client.Containers.RemoveContainerAsync(DockerDriver.ContainerName(gatewayId), new ContainerRemoveParameters { Force = true });
            }
            catch (DockerContainerNotFoundException)
            {
                // Already removed, as it should be.
            }
            catch (DockerApiException exception) when (exception.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                // The control plane's own removal is still under way.
            }
        }
    }
}
