using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Demiurge.Protocol;
using Demiurge.Tests.Infrastructure;
using static Demiurge.Tests.GatewayProcess.Routing.StageTwoCalls;

namespace Demiurge.Tests.GatewayProcess.Routing;

/// <summary>
/// Stage 2 on a gateway against a fake control plane: containers register their endpoint with
/// their token, and requests for <c>uc-{container}.org-{id}.{domain}</c> reach a real Kestrel
/// backend on a loopback port, over HTTP and WebSockets.
/// </summary>
public sealed class ContainerRoutingTests
{
    private const string Project = GatewayHarness.ProjectA;

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Forward_RegisteredContainer_PathQueryBodyAndHeadersReachItAndItsAnswerComesBack()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await RegisteredContainerAsync(gateway, org, backend);
        var host = ContainerHost(org.OrganizationId, container.ContainerId);

        // As the edge sends it: the browser's name, the edge's X-Forwarded-* for the browser's request.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/notebooks/a%20b/run?x=1&y=%C3%A9") { Content = new StringContent("{\"cell\": 3}", Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Custom", "kept");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", host);
        using var response = await SendAsync(gateway, host, request);

        var echo = await TestBackend.EchoOfAsync(response);
        Assert.Equal("backend", response.Headers.GetValues("X-Backend").Single());
        Assert.False(response.Headers.Contains("X-Request-Id")); // the container's answer, untouched
        Assert.Equal("POST", echo.GetProperty("method").GetString());
        Assert.Equal("/notebooks/a b/run", echo.GetProperty("path").GetString());
        Assert.Equal("?x=1&y=%C3%A9", echo.GetProperty("query").GetString());
        Assert.Equal("{\"cell\": 3}", echo.GetProperty("body").GetString());
        var headers = echo.GetProperty("headers");
        Assert.Equal("kept", headers.GetProperty("x-custom").GetString());
        Assert.Equal("application/json; charset=utf-8", headers.GetProperty("content-type").GetString());
        Assert.Equal(host, headers.GetProperty("host").GetString());
        Assert.Equal("203.0.113.7, 127.0.0.1", headers.GetProperty("x-forwarded-for").GetString());
        Assert.Equal("https", headers.GetProperty("x-forwarded-proto").GetString());
        Assert.Equal(host, headers.GetProperty("x-forwarded-host").GetString());
        Assert.Equal(1, backend.Requests);
    }

    [Fact]
    public async Task Forward_ApiKeyInAuthorizationOrQuery_NeverReachesTheContainer()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await RegisteredContainerAsync(gateway, org, backend);
        var host = ContainerHost(org.OrganizationId, container.ContainerId);
        var key = Demiurge.ApiKeys.ApiKeyTokens.New();

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/lab?token={Uri.EscapeDataString(key)}&x=1");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var response = await SendAsync(gateway, host, request);

        var echo = await TestBackend.EchoOfAsync(response);
        Assert.False(echo.GetProperty("headers").TryGetProperty("authorization", out _));
        Assert.Equal("?x=1", echo.GetProperty("query").GetString());
        Assert.DoesNotContain(key, echo.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forward_DirectRequest_GatewaySetsTheForwardedHeaders()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await RegisteredContainerAsync(gateway, org, backend);
        var host = ContainerHost(org.OrganizationId, container.ContainerId);

        using var response = await GetAsync(gateway, host.ToUpperInvariant() + ".", "/tree");

        var headers = (await TestBackend.EchoOfAsync(response)).GetProperty("headers");
        Assert.Equal("127.0.0.1", headers.GetProperty("x-forwarded-for").GetString());
        Assert.Equal("http", headers.GetProperty("x-forwarded-proto").GetString());
        Assert.Equal(host.ToUpperInvariant() + ".", headers.GetProperty("x-forwarded-host").GetString());
    }

    [Fact]
    public async Task Forward_UsersDemiurgeTokenAndClientSetAddresses_NeverReachTheContainer()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await RegisteredContainerAsync(gateway, org, backend);
        var host = ContainerHost(org.OrganizationId, container.ContainerId);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/lab?token={Uri.EscapeDataString(org.Member.Token)}&token=jupyter-own&x=1");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", org.Member.Token);
        request.Headers.Add("X-Real-IP", "198.51.100.66");
        request.Headers.Add("Forwarded", "for=198.51.100.66");
        using var response = await SendAsync(gateway, host, request);
        using var ownCredential = new HttpRequestMessage(HttpMethod.Get, "/lab");
        ownCredential.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("token", "jupyter-own");
        using var withOwn = await SendAsync(gateway, host, ownCredential);

        var echo = await TestBackend.EchoOfAsync(response);
        var headers = echo.GetProperty("headers");
        Assert.StartsWith(Demiurge.Common.Tokens.Prefix, org.Member.Token, StringComparison.Ordinal);
        Assert.False(headers.TryGetProperty("authorization", out _));
        Assert.False(headers.TryGetProperty("forwarded", out _));
        Assert.Equal("127.0.0.1", headers.GetProperty("x-real-ip").GetString());
        Assert.Equal("?token=jupyter-own&x=1", echo.GetProperty("query").GetString());
        Assert.DoesNotContain(org.Member.Token, echo.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("token jupyter-own", (await TestBackend.EchoOfAsync(withOwn)).GetProperty("headers").GetProperty("authorization").GetString());
    }

    [Fact]
    public async Task Forward_WebSocket_EchoesThroughStageTwo()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await RegisteredContainerAsync(gateway, org, backend);
        using var timeout = new CancellationTokenSource(s_timeout);

        using var socket = await ConnectAsync(gateway, ContainerHost(org.OrganizationId, container.ContainerId));
        foreach (var message in (string[])["hello", "second message", new string('x', 3000)])
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, timeout.Token);
            Assert.Equal(message, await ReceiveTextAsync(socket, timeout.Token));
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Fact]
    public async Task Forward_UnregisteredContainer_404AndNothingForwarded()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var created = await ManagerCalls.CreateContainerOkAsync(gateway, org.Member, org.OrganizationId); // exists, never registered

        foreach (var label in (string[])[created.ContainerId, Guid.CreateVersion7().ToString(), "not-a-uuid"])
        {
            using var response = await GetAsync(gateway, ContainerHost(org.OrganizationId, label));
            await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, "container-not-found");
        }

        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task Forward_DeadEndpoint_502Problem()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await ManagerCalls.CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        using var registered = await RegisterAsync(gateway, container.ContainerId, container.Token, $"http://127.0.0.1:{DeadPort()}");
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);

        using var response = await GetAsync(gateway, ContainerHost(org.OrganizationId, container.ContainerId), "/api/status");

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadGateway, "container-unreachable");
        Assert.Contains(container.ContainerId, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forward_EndpointLeadingBackToTheGateway_508NotALoop()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await ManagerCalls.CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        using var registered = await RegisterAsync(gateway, container.ContainerId, container.Token, gateway.Host.Url.ToString());
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);

        using var response = await GetAsync(gateway, ContainerHost(org.OrganizationId, container.ContainerId));

        // The first pass forwards to itself; the second sees its own Via and stops; the first passes that answer back.
        await Problems.AssertProblemAsync(response, HttpStatusCode.LoopDetected, "loop-detected");
    }

    [Theory]
    [InlineData("org-{other}.demiurge.localhost")]
    [InlineData("uc-x.org-{org}.demiurge.localhost")]
    [InlineData("org-{org}")]
    [InlineData("org-{org}.bad name")]
    [InlineData("")]
    public async Task CollabStart_GatewayHostnameNotTheOrganizations_502AndIdle(string hostname)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var organizationId = Guid.CreateVersion7().ToString();
        var grant = gateway.ControlPlane.Grant(organizationId, GatewayHarness.GatewayId, new Dictionary<string, object?>
        {
            ["gateway_hostname"] = hostname.Replace("{org}", organizationId, StringComparison.Ordinal).Replace("{other}", Guid.CreateVersion7().ToString(), StringComparison.Ordinal),
        });

        using var response = await gateway.StartAsync(grant.HandshakeToken);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadGateway, "handshake-failed");
        Assert.Contains("gateway_hostname", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("idle", (await gateway.PingAsync()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Forward_AnotherOrganizationsName_421AndNeverForwarded()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await RegisteredContainerAsync(gateway, org, backend);
        var other = Guid.CreateVersion7().ToString();

        // The same container id under another organization's name, and that organization's own name.
        using var toContainer = await GetAsync(gateway, ContainerHost(other, container.ContainerId));
        using var toGateway = await GetAsync(gateway, OrganizationHost(other), "/collab/ping");
        using var toProject = await SendAsync(gateway, OrganizationHost(other), AsUser(org.Member, HttpMethod.Put, JsonContent.Create(new { state = "AQ==" })));

        await Problems.AssertProblemAsync(toContainer, HttpStatusCode.MisdirectedRequest, "misdirected");
        await Problems.AssertProblemAsync(toGateway, HttpStatusCode.MisdirectedRequest, "misdirected");
        await Problems.AssertProblemAsync(toProject, HttpStatusCode.MisdirectedRequest, "misdirected");
        Assert.Equal(0, backend.Requests);
        using var state = await gateway.Http.SendAsync(AsUser(org.Member, HttpMethod.Get));
        Assert.Equal(JsonValueKind.Null, (await state.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").ValueKind); // nothing written into the served organization
        using var own = await SendAsync(gateway, OrganizationHost(org.OrganizationId), AsUser(org.Member, HttpMethod.Get));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode); // the gateway's own names keep working
    }

    [Theory]
    [InlineData("/collab/ping")]
    [InlineData("/gateway/activity")]
    public async Task HealthAndActivity_UnderTheOrganizationsName_404ButOpenOnTheWorkersAddress(string path)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);

        using var throughEdge = await GetAsync(gateway, OrganizationHost(org.OrganizationId), path);
        using var absolute = await GetAsync(gateway, OrganizationHost(org.OrganizationId).ToUpperInvariant() + ".", path);
        using var direct = await gateway.Http.GetAsync(new Uri(path, UriKind.Relative));

        var problem = await Problems.AssertProblemAsync(throughEdge, HttpStatusCode.NotFound, "not-found");
        Assert.DoesNotContain(org.OrganizationId, problem.GetRawText(), StringComparison.Ordinal);
        await Problems.AssertProblemAsync(absolute, HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal("serving", (await direct.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Forward_Idle_421ForEveryOrganizationName()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var organizationId = Guid.CreateVersion7().ToString();

        using var toContainer = await GetAsync(gateway, ContainerHost(organizationId, Guid.CreateVersion7().ToString()));
        using var toGateway = await GetAsync(gateway, OrganizationHost(organizationId), "/collab/ping");
        using var direct = await gateway.Http.GetAsync(new Uri("/collab/ping", UriKind.Relative));

        await Problems.AssertProblemAsync(toContainer, HttpStatusCode.MisdirectedRequest, "misdirected");
        await Problems.AssertProblemAsync(toGateway, HttpStatusCode.MisdirectedRequest, "misdirected");
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
    }

    [Fact]
    public async Task Register_ReturnsTheServedNameAndReplacesAnEarlierEndpoint()
    {
        await using var first = await TestBackend.StartAsync();
        await using var second = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await RegisteredContainerAsync(gateway, org, first);
        var host = ContainerHost(org.OrganizationId, container.ContainerId);

        // Through the organization's own name, as a container reaching the gateway through the edge would.
        using var response = await RegisterAsync(gateway, container.ContainerId, container.Token, second.Url + "/", OrganizationHost(org.OrganizationId));
        using var forwarded = await GetAsync(gateway, host);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(container.ContainerId, body.GetProperty("container_id").GetString());
        Assert.Equal(second.Url.ToString().TrimEnd('/'), body.GetProperty("url").GetString());
        Assert.Equal(host, body.GetProperty("hostname").GetString());
        await TestBackend.EchoOfAsync(forwarded);
        Assert.Equal((0, 1), (first.Requests, second.Requests));
    }

    [Fact]
    public async Task Register_WithAPathPrefix_PrefixesEveryPath()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await ManagerCalls.CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        using var registered = await RegisterAsync(gateway, container.ContainerId, container.Token, backend.Url + "base/");
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);

        using var response = await GetAsync(gateway, ContainerHost(org.OrganizationId, container.ContainerId), "/lab?x=1");

        var echo = await TestBackend.EchoOfAsync(response);
        Assert.Equal("/base/lab", echo.GetProperty("path").GetString());
        Assert.Equal("?x=1", echo.GetProperty("query").GetString());
    }

    [Fact]
    public async Task Register_MissingOrWrongToken_401AndNothingRegistered_EvenWithAUrlItWouldRefuse()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true, containerPorts: new(backend.Url.Port, backend.Url.Port));
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await ManagerCalls.CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);

        // No token, a token that is no container's, and a user's token (a member is not the container),
        // each with a url it may register and with ones it may not: the token is checked first, so
        // no one but the container learns the allowed ports.
        foreach (var token in (string?[])[null, "gwt_" + Guid.NewGuid().ToString("N"), org.Member.Token])
        {
            foreach (var url in (string[])[backend.Url.ToString(), "http://127.0.0.1:5080", "http://10.0.0.1:8888"])
            {
                using var response = await RegisterAsync(gateway, container.ContainerId, token, url);
                await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
                Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
            }
        }

        using var forwarded = await GetAsync(gateway, ContainerHost(org.OrganizationId, container.ContainerId));
        await Problems.AssertProblemAsync(forwarded, HttpStatusCode.NotFound, "container-not-found");
        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task Register_AnotherContainersToken_403()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var victim = await RegisteredContainerAsync(gateway, org, backend);
        var other = await ManagerCalls.CreateContainerOkAsync(gateway, org.OtherMember, org.OrganizationId);

        using var register = await RegisterAsync(gateway, victim.ContainerId, other.Token, $"http://127.0.0.1:{DeadPort()}");
        using var deregister = await DeregisterAsync(gateway, victim.ContainerId, other.Token);

        await Problems.AssertProblemAsync(register, HttpStatusCode.Forbidden, "forbidden");
        await Problems.AssertProblemAsync(deregister, HttpStatusCode.Forbidden, "forbidden");
        using var forwarded = await GetAsync(gateway, ContainerHost(org.OrganizationId, victim.ContainerId));
        await TestBackend.EchoOfAsync(forwarded); // still the victim's own endpoint
    }

    [Theory]
    [InlineData("http://10.0.0.1:8888")]
    [InlineData("http://169.254.169.254/latest")]
    [InlineData("http://192.168.1.1")]
    [InlineData("http://0.0.0.0:8888")]
    [InlineData("http://localhost:8888")]
    [InlineData("http://example.com")]
    [InlineData("http://[::ffff:127.0.0.1]:8888")]
    [InlineData("http://[fe80::1]:8888")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("ws://127.0.0.1:8888")]
    [InlineData("http://user:secret@127.0.0.1:8888")]
    [InlineData("http://127.0.0.1:8888/?q=1")]
    [InlineData("http://127.0.0.1:8888/#f")]
    [InlineData("127.0.0.1:8888")]
    [InlineData("/relative")]
    [InlineData("")]
    public async Task Register_DestinationNotHttpOnLoopback_400AndNothingRegistered(string url)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await ManagerCalls.CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);

        using var response = await RegisterAsync(gateway, container.ContainerId, container.Token, url);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _), problem.ToString());
        using var forwarded = await GetAsync(gateway, ContainerHost(org.OrganizationId, container.ContainerId));
        await Problems.AssertProblemAsync(forwarded, HttpStatusCode.NotFound, "container-not-found");
    }

    [Theory]
    [InlineData("http://127.0.0.1:8888", "http://127.0.0.1:8888")]
    [InlineData("https://127.1.2.3:8443/base/", "https://127.1.2.3:8443/base")]
    [InlineData("http://[::1]:8888", "http://[::1]:8888")]
    [InlineData("HTTP://127.0.0.1", "http://127.0.0.1")]
    public async Task Register_LoopbackHttp_StoredInNormalForm(string url, string stored)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await ManagerCalls.CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);

        using var response = await RegisterAsync(gateway, container.ContainerId, container.Token, url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(stored, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString());
    }

    [Theory]
    [InlineData(5080)] // the API's default port, with its /metrics
    [InlineData(19999)]
    [InlineData(30000)]
    public async Task Register_PortOutsideTheContainerPorts_400NamingTheRangeAndNothingRegistered(int port)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true, containerPorts: Demiurge.GatewayProcess.GatewayProcessOptions.DefaultContainerPorts);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await ManagerCalls.CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);

        using var response = await RegisterAsync(gateway, container.ContainerId, container.Token, $"http://127.0.0.1:{port}");
        using var inRange = await RegisterAsync(gateway, container.ContainerId, container.Token, "http://127.0.0.1:20000");

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.Contains("20000-29999", problem.GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, inRange.StatusCode);
        Assert.Equal("http://127.0.0.1:20000", (await inRange.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString());
    }

    [Fact]
    public async Task Register_ThroughAnotherOrganizationsName_421()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await ManagerCalls.CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var other = Guid.CreateVersion7().ToString();

        using var viaOrganization = await RegisterAsync(gateway, container.ContainerId, container.Token, backend.Url.ToString(), OrganizationHost(other));
        using var viaContainer = await RegisterAsync(gateway, container.ContainerId, container.Token, backend.Url.ToString(), ContainerHost(other, container.ContainerId));

        await Problems.AssertProblemAsync(viaOrganization, HttpStatusCode.MisdirectedRequest, "misdirected");
        await Problems.AssertProblemAsync(viaContainer, HttpStatusCode.MisdirectedRequest, "misdirected");
        using var forwarded = await GetAsync(gateway, ContainerHost(org.OrganizationId, container.ContainerId));
        await Problems.AssertProblemAsync(forwarded, HttpStatusCode.NotFound, "container-not-found");
        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task Register_NoOrganizationServed_409()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);

        using var response = await RegisterAsync(gateway, Guid.CreateVersion7().ToString(), "gwt_" + Guid.NewGuid().ToString("N"), "http://127.0.0.1:8888");

        await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task Deregister_ThenRequests_404()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await RegisteredContainerAsync(gateway, org, backend);

        using var removed = await DeregisterAsync(gateway, container.ContainerId, container.Token);
        using var again = await DeregisterAsync(gateway, container.ContainerId, container.Token);
        using var forwarded = await GetAsync(gateway, ContainerHost(org.OrganizationId, container.ContainerId));

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        await Problems.AssertProblemAsync(again, HttpStatusCode.NotFound, "not-found");
        await Problems.AssertProblemAsync(forwarded, HttpStatusCode.NotFound, "container-not-found");
        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task DeleteContainer_RemovesItsRoute()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await RegisteredContainerAsync(gateway, org, backend);

        using var deleted = await ManagerCalls.DeleteContainerAsync(gateway, org.Member, container.ContainerId);
        using var forwarded = await GetAsync(gateway, ContainerHost(org.OrganizationId, container.ContainerId));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Problems.AssertProblemAsync(forwarded, HttpStatusCode.NotFound, "container-not-found");
        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task Release_ClearsTheTableAndCutsOpenWebSockets_NextOrganizationCannotReachTheOldContainer()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var first = await TestOrganization.ServeAsync(gateway);
        var container = await RegisteredContainerAsync(gateway, first, backend);
        using var socket = await ConnectAsync(gateway, ContainerHost(first.OrganizationId, container.ContainerId));
        using var timeout = new CancellationTokenSource(s_timeout);

        using var released = await gateway.ReleaseAsync();
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        await AssertClosedByPeerAsync(socket, timeout.Token);
        var second = await TestOrganization.ServeAsync(gateway);

        using var oldName = await GetAsync(gateway, ContainerHost(first.OrganizationId, container.ContainerId));
        using var newName = await GetAsync(gateway, ContainerHost(second.OrganizationId, container.ContainerId));
        using var register = await RegisterAsync(gateway, container.ContainerId, container.Token, backend.Url.ToString());
        await Problems.AssertProblemAsync(oldName, HttpStatusCode.MisdirectedRequest, "misdirected");
        await Problems.AssertProblemAsync(newName, HttpStatusCode.NotFound, "container-not-found");
        await Problems.AssertProblemAsync(register, HttpStatusCode.Unauthorized, "unauthorized"); // its token was the first organization's
        Assert.Equal(1, backend.Requests); // only the WebSocket
    }

    [Fact]
    public async Task Forward_IsUserActivity_RearmsTheInactivityTimer()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivity: TimeSpan.FromSeconds(10));
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await RegisteredContainerAsync(gateway, org, backend);
        await gateway.JumpAsync(TimeSpan.FromSeconds(6));
        var before = (await gateway.ActivityAsync()).GetProperty("last_activity_at").GetDateTimeOffset();

        using var response = await GetAsync(gateway, ContainerHost(org.OrganizationId, container.ContainerId));
        await TestBackend.EchoOfAsync(response);

        var after = (await gateway.ActivityAsync()).GetProperty("last_activity_at").GetDateTimeOffset();
        Assert.Equal(gateway.Time.GetUtcNow(), after);
        Assert.True(after > before, $"{after} should be later than {before}");
        await gateway.JumpAsync(TimeSpan.FromSeconds(6)); // 12 s after serving, 6 s after the request
        Assert.Equal("serving", (await gateway.PingAsync()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Release_NotWhileAWebSocketIsOpen_ThenAfterItCloses()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivity: TimeSpan.FromSeconds(10));
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await RegisteredContainerAsync(gateway, org, backend);
        using var timeout = new CancellationTokenSource(s_timeout);
        using var socket = await ConnectAsync(gateway, ContainerHost(org.OrganizationId, container.ContainerId));
        await GatewayHarness.WaitUntilAsync(() => backend.Requests == 1, "the WebSocket to reach the backend");

        await gateway.JumpAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("serving", (await gateway.PingAsync()).GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, (await gateway.ActivityAsync()).GetProperty("release_at").ValueKind);

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        await WaitForReleaseDeadlineAsync(gateway);
        await gateway.JumpAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("idle", (await gateway.PingAsync()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Release_WebSocketEndsWhileAReleaseFails_TheOrganizationIsReleasedLater()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(inactivity: TimeSpan.FromSeconds(10));
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await RegisteredContainerAsync(gateway, org, backend); // unsaved: the release pushes
        using var timeout = new CancellationTokenSource(s_timeout);
        using var socket = await ConnectAsync(gateway, ContainerHost(org.OrganizationId, container.ContainerId));
        await GatewayHarness.WaitUntilAsync(() => backend.Requests == 1, "the WebSocket to reach the backend");
        var push = gateway.ControlPlane.Hold(GatewayPaths.DataPush);
        gateway.ControlPlane.FailNext(GatewayPaths.DataPush, 500);

        var release = gateway.ReleaseAsync();
        await GatewayHarness.WaitUntilAsync(() => gateway.Worker.Snapshot().State == Demiurge.Protocol.GatewayWorkerState.Releasing, "the release to begin");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token); // ends while the gateway is releasing
        await WaitForReleaseDeadlineAsync(gateway);
        push.SetResult();
        using (var failed = await release)
        {
            await Problems.AssertProblemAsync(failed, HttpStatusCode.BadGateway, "release-failed");
        }

        Assert.Equal("serving", (await gateway.PingAsync()).GetProperty("state").GetString());
        await gateway.JumpAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("idle", (await gateway.PingAsync()).GetProperty("state").GetString());
    }

    private static async Task WaitForReleaseDeadlineAsync(GatewayHarness gateway)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        while ((await gateway.ActivityAsync()).GetProperty("release_at").ValueKind == JsonValueKind.Null)
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>A request on <see cref="Project"/>'s document with <paramref name="user"/>'s token.</summary>
    private static HttpRequestMessage AsUser(FakeUser user, HttpMethod method, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, $"/projects/{Project}/state") { Content = content };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", user.Token);
        return request;
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        var text = new StringBuilder();
        WebSocketReceiveResult received;
        do
        {
            received = await socket.ReceiveAsync(buffer, cancellationToken);
            text.Append(Encoding.UTF8.GetString(buffer, 0, received.Count));
        }
        while (!received.EndOfMessage);
        return text.ToString();
    }

    /// <summary>The gateway ended the connection: the next receive fails or sees a close, rather than waiting.</summary>
    private static async Task AssertClosedByPeerAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        try
        {
            var received = await socket.ReceiveAsync(new byte[16], cancellationToken);
            Assert.Equal(WebSocketMessageType.Close, received.MessageType);
        }
        catch (WebSocketException)
        {
            // aborted mid-stream: what a cut connection looks like
        }
    }
}
