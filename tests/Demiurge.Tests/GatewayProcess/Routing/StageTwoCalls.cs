using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.GatewayProcess.Routing;

/// <summary>Calls to stage 2, as a container registering itself and a browser arriving through the edge make them.</summary>
internal static class StageTwoCalls
{
    public const string Domain = "demiurge.localhost";

    public static string OrganizationHost(string organizationId) => $"org-{organizationId}.{Domain}";

    public static string ContainerHost(string organizationId, string containerId) => $"uc-{containerId}.org-{organizationId}.{Domain}";

    /// <summary><c>PUT /containers/{id}/endpoint</c>; <paramref name="host"/> replaces the gateway's address in the Host header.</summary>
    public static Task<HttpResponseMessage> RegisterAsync(GatewayHarness gateway, string containerId, string? token, string url, string? host = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/containers/{containerId}/endpoint") { Content = JsonContent.Create(new { url }) };
        Prepare(request, token, host);
        return gateway.Http.SendAsync(request);
    }

    public static Task<HttpResponseMessage> DeregisterAsync(GatewayHarness gateway, string containerId, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, $"/containers/{containerId}/endpoint");
        Prepare(request, token, null);
        return gateway.Http.SendAsync(request);
    }

    /// <summary>Creates a container in the served organization and registers <paramref name="backend"/> as its endpoint.</summary>
    public static async Task<TestContainer> RegisteredContainerAsync(GatewayHarness gateway, TestOrganization org, TestBackend backend)
    {
        var container = await ManagerCalls.CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        using var response = await RegisterAsync(gateway, container.ContainerId, container.Token, backend.Url.ToString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT endpoint answered {(int)response.StatusCode}: {text}");
        return container;
    }

    /// <summary>Sends <paramref name="request"/> to the gateway as the edge does: to its address, with the public name as Host.</summary>
    public static Task<HttpResponseMessage> SendAsync(GatewayHarness gateway, string host, HttpRequestMessage request)
    {
        request.Headers.Host = host;
        return gateway.Http.SendAsync(request);
    }

    public static Task<HttpResponseMessage> GetAsync(GatewayHarness gateway, string host, string path = "/") =>
        SendAsync(gateway, host, new HttpRequestMessage(HttpMethod.Get, path));

    /// <summary>A WebSocket to <c>/ws</c> on the container named <paramref name="host"/>, through the gateway.</summary>
    public static async Task<ClientWebSocket> ConnectAsync(GatewayHarness gateway, string host)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Host", host);
        await socket.ConnectAsync(new Uri($"ws://{gateway.Host.Url.Authority}/ws"), CancellationToken.None);
        return socket;
    }

    /// <summary>A loopback port that nothing listens on (it was free a moment ago).</summary>
    public static int DeadPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Prepare(HttpRequestMessage request, string? token, string? host)
    {
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }
    }
}
