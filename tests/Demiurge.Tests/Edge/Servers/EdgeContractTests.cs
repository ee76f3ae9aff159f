using System.Net;
using System.Net.WebSockets;
using System.Text;
using Demiurge.Common;
using Demiurge.Edge;
using Demiurge.Gateways;
using Demiurge.Hosting;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Edge.Servers;

/// <summary>What every stage-1 edge must do, run against the embedded edge and a real nginx.</summary>
public abstract class EdgeContractTests
{
    internal const string TestDomain = "edge.test.localhost";

    protected const string Domain = TestDomain;

    /// <summary>Settings with the test domain, for an organization's names.</summary>
    private protected static DemiurgeOptions TestOptions { get; } = new() { Domain = TestDomain };

    internal abstract IEdgeRouter Router { get; }

    /// <summary>The edge's plain HTTP listener.</summary>
    protected abstract Uri HttpUrl { get; }

    protected abstract TestBackend BackendA { get; }

    protected abstract TestBackend BackendB { get; }

    /// <summary>Route flips in the under-load test: many for the embedded edge, fewer for nginx, where each is a reload.</summary>
    protected abstract int Flips { get; }

    /// <summary>
    /// Whether a route change may close client connections under a request: nginx's retiring
    /// workers do at a reload, so the load test lets clients send such a request again, as
    /// browsers do. The embedded edge never closes one, and its clients get no second try.
    /// </summary>
    protected abstract bool ResetsIdleConnectionsOnChange { get; }

    /// <summary>
    /// Waits until every listener serves the latest routes. The embedded edge does at once;
    /// nginx's workers of an older configuration keep accepting connections until they have
    /// taken in the master's order to quit, and answer them with the routes they started with.
    /// </summary>
    protected virtual Task RoutesSettledAsync() => Task.CompletedTask;

    protected static string NewOrganization() => Guid.NewGuid().ToString();

    protected Uri Url(string host, string path = "/") => new($"http://{host}:{HttpUrl.Port}{path}");

    protected static string Hostname(string organizationId) => $"org-{organizationId}.{Domain}";

    [Fact]
    public async Task SetRoute_RequestForTheHost_ReachesGatewayWithOriginalHostAndForwardedHeaders()
    {
        var organization = NewOrganization();
        using var client = new EdgeClient();

        await Router.SetRouteAsync(organization, BackendA.Url, TestOptions, TestContext.Current.CancellationToken);

        var body = (await client.EventuallyAsync(Url(Hostname(organization), "/some/path?q=1"), BackendA.Name))!.Value;
        var host = $"{Hostname(organization)}:{HttpUrl.Port}";
        Assert.Equal(host, body.GetProperty("host").GetString());
        Assert.Equal("/some/path", body.GetProperty("path").GetString());
        Assert.Equal("127.0.0.1", body.GetProperty("headers").GetProperty("x-forwarded-for").GetString());
        Assert.Equal("http", body.GetProperty("headers").GetProperty("x-forwarded-proto").GetString());
        Assert.Equal(host, body.GetProperty("headers").GetProperty("x-forwarded-host").GetString());
    }

    [Fact]
    public async Task SetRoute_NamesUnderTheOrganization_RouteToItsGateway()
    {
        var organization = NewOrganization();
        var other = NewOrganization();
        using var client = new EdgeClient();

        await Router.SetRouteAsync(organization, BackendA.Url, TestOptions, TestContext.Current.CancellationToken);
        await Router.SetRouteAsync(other, BackendB.Url, TestOptions, TestContext.Current.CancellationToken);

        var container = $"uc-{Guid.NewGuid():N}.{Hostname(organization)}";
        var body = (await client.EventuallyAsync(Url(container), BackendA.Name))!.Value;
        Assert.Equal($"{container}:{HttpUrl.Port}", body.GetProperty("host").GetString());
        await client.EventuallyAsync(Url($"uc-1.{Hostname(other)}"), BackendB.Name);
    }

    [Fact]
    public async Task Request_UnknownHosts_Get404()
    {
        using var client = new EdgeClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(Url(Hostname(NewOrganization())))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(Url($"uc-1.{Hostname(NewOrganization())}"))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(Url("elsewhere.example.localhost"))).Status);
    }

    [Fact]
    public async Task RemoveRoute_ThenTheHost_Gets404()
    {
        var organization = NewOrganization();
        using var client = new EdgeClient();
        await Router.SetRouteAsync(organization, BackendA.Url, TestOptions, TestContext.Current.CancellationToken);
        await client.EventuallyAsync(Url(Hostname(organization)), BackendA.Name);

        await Router.RemoveRouteAsync(organization, TestOptions, TestContext.Current.CancellationToken);

        await client.EventuallyAsync(Url(Hostname(organization)), null);
        await client.EventuallyAsync(Url($"uc-1.{Hostname(organization)}"), null);
    }

    [Fact]
    public async Task ListRoutedOrganizations_AfterSetAndRemove_HoldsExactlyTheRoutedOnes()
    {
        var kept = NewOrganization();
        var removed = NewOrganization();
        await Router.SetRouteAsync(kept, BackendA.Url, TestOptions, TestContext.Current.CancellationToken);
        await Router.SetRouteAsync(removed, BackendB.Url, TestOptions, TestContext.Current.CancellationToken);
        var before = await Router.ListRoutedOrganizationsAsync(TestOptions, TestContext.Current.CancellationToken);

        await Router.RemoveRouteAsync(removed, TestOptions, TestContext.Current.CancellationToken);
        var after = await Router.ListRoutedOrganizationsAsync(TestOptions, TestContext.Current.CancellationToken);

        Assert.Contains(kept, before);
        Assert.Contains(removed, before);
        Assert.Contains(kept, after);
        Assert.DoesNotContain(removed, after);
        Assert.DoesNotContain(NewOrganization(), after);
    }

    [Fact]
    public async Task SetRoute_Again_MovesTheOrganizationToTheOtherGateway()
    {
        var organization = NewOrganization();
        using var client = new EdgeClient();
        await Router.SetRouteAsync(organization, BackendA.Url, TestOptions, TestContext.Current.CancellationToken);
        await client.EventuallyAsync(Url(Hostname(organization)), BackendA.Name);

        await Router.SetRouteAsync(organization, BackendB.Url, TestOptions, TestContext.Current.CancellationToken);

        await client.EventuallyAsync(Url(Hostname(organization)), BackendB.Name);
    }

    [Fact]
    public async Task WebSocket_ThroughTheEdge_EchoesMessages()
    {
        var organization = NewOrganization();
        using var client = new EdgeClient();
        await Router.SetRouteAsync(organization, BackendA.Url, TestOptions, TestContext.Current.CancellationToken);
        await client.EventuallyAsync(Url(Hostname(organization)), BackendA.Name);

        using var socket = new ClientWebSocket();
        using var invoker = client.Invoker;
        await socket.ConnectAsync(new Uri($"ws://uc-1.{Hostname(organization)}:{HttpUrl.Port}/ws"), invoker, TestContext.Current.CancellationToken);
        var buffer = new byte[1024];
        foreach (var message in new[] { "hello", "through the edge", new string('x', 900) })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
            var received = await socket.ReceiveAsync(buffer, TestContext.Current.CancellationToken);
            Assert.True(received.EndOfMessage);
            Assert.Equal(message, Encoding.UTF8.GetString(buffer, 0, received.Count));
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, TestContext.Current.CancellationToken);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    [Fact]
    public async Task SetRoutes_TwoWeightedDestinations_SplitNewRequestsByWeight()
    {
        // Any name under the domain routes, an app's as well as an organization's.
        var host = HostNames.App("shop", "acme-" + NewOrganization()[..8], Domain);
        using var client = new EdgeClient();

        await Router.SetRoutesAsync([new EdgeRoute(host, [new(BackendA.Url, 3), new(BackendB.Url, 1)])], TestContext.Current.CancellationToken);
        await client.EventuallyAsync(Url(host), BackendB.Name);
        await RoutesSettledAsync();

        var served = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            served.Add((await client.GetAsync(Url(host))).Body!.Value.GetProperty("backend").GetString()!);
        }

        Assert.InRange(served.Count(b => b == BackendA.Name), 130, 170);
        Assert.Equal(200, served.Count(b => b == BackendA.Name || b == BackendB.Name));
        var listed = Assert.Single(await Router.ListRoutesAsync(TestContext.Current.CancellationToken), r => r.Host == host);
        Assert.Equal([new EdgeDestination(BackendA.Url, 3), new EdgeDestination(BackendB.Url, 1)], listed.Destinations);
    }

    [Fact]
    public async Task SetRoutes_DrainedDestination_GetsNoNewRequestsWhileItsOpenWebSocketFinishes()
    {
        var host = $"drain-{NewOrganization()[..8]}.{Domain}";
        using var client = new EdgeClient();
        await Router.SetRoutesAsync([EdgeRoute.To(host, BackendA.Url)], TestContext.Current.CancellationToken);
        await client.EventuallyAsync(Url(host), BackendA.Name);
        await RoutesSettledAsync();
        using var socket = new ClientWebSocket();
        using var invoker = client.Invoker;
        await socket.ConnectAsync(new Uri($"ws://{host}:{HttpUrl.Port}/ws"), invoker, TestContext.Current.CancellationToken);

        await Router.SetRoutesAsync([new EdgeRoute(host, [new(BackendA.Url, 1, Draining: true), new(BackendB.Url, 1)])], TestContext.Current.CancellationToken);
        await client.EventuallyAsync(Url(host), BackendB.Name);
        await RoutesSettledAsync();

        for (var i = 0; i < 50; i++)
        {
            using var fresh = new EdgeClient();
            Assert.Equal(BackendB.Name, (await fresh.GetAsync(Url(host))).Body!.Value.GetProperty("backend").GetString());
        }

        var buffer = new byte[64];
        await socket.SendAsync("still here"u8.ToArray(), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        var received = await socket.ReceiveAsync(buffer, TestContext.Current.CancellationToken);
        Assert.Equal("still here", Encoding.UTF8.GetString(buffer, 0, received.Count));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, TestContext.Current.CancellationToken);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    [Fact]
    public async Task SetRoutes_InvalidRoute_RefusedBeforeAnythingChanges()
    {
        var host = $"bad-{NewOrganization()[..8]}.{Domain}";

        await Assert.ThrowsAsync<ArgumentException>(() => Router.SetRoutesAsync([EdgeRoute.To(host, BackendA.Url), EdgeRoute.To("elsewhere.example.com", BackendA.Url)], TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentException>(() => Router.SetRoutesAsync([new EdgeRoute(host, [new(BackendA.Url, 0)])], TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentException>(() => Router.SetRoutesAsync([EdgeRoute.To($"*.*.{Domain}", BackendA.Url)], TestContext.Current.CancellationToken));

        Assert.DoesNotContain(await Router.ListRoutesAsync(TestContext.Current.CancellationToken), r => r.Host == host);
    }

    [Fact]
    public async Task SetRoute_FlippingUnderConstantLoad_FailsNoRequest()
    {
        var organization = NewOrganization();
        using var client = new EdgeClient();
        await Router.SetRouteAsync(organization, BackendA.Url, TestOptions, TestContext.Current.CancellationToken);
        await client.EventuallyAsync(Url(Hostname(organization)), BackendA.Name);
        // From here on every configuration routes the organization, to one backend or the other.
        await RoutesSettledAsync();
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var attempts = ResetsIdleConnectionsOnChange ? 3 : 1;
        var served = new Dictionary<string, int>();

        async Task LoadAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                // As browsers do (RFC 9112, section 9.3.1), an idempotent request whose connection
                // is closed under it is sent again, on a new connection. Only an edge that closes
                // connections on a change gets those retries; a few, since nginx's retiring worker
                // can also take a new connection from the shared listener and close it.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        using var fresh = attempt == 1 ? null : new EdgeClient();
                        var (status, body) = await (fresh ?? client).GetAsync(Url(Hostname(organization)));
                        lock (served)
                        {
                            if (body?.GetProperty("backend").GetString() is { } backend)
                            {
                                served[backend] = served.GetValueOrDefault(backend) + 1;
                            }
                            else
                            {
                                failures.Add($"status {(int)status}");
                            }
                        }

                        break;
                    }
                    catch (HttpRequestException exception) when (attempt == attempts)
                    {
                        lock (served)
                        {
                            failures.Add($"{exception.Message} {exception.InnerException?.Message}");
                        }

                        break;
                    }
                    catch (HttpRequestException)
                    {
                        // Sent again on a new connection.
                    }
                }
            }
        }

        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(LoadAsync, TestContext.Current.CancellationToken)).ToList();
        for (var flip = 0; flip < Flips; flip++)
        {
            var next = flip % 2 == 0 ? BackendB : BackendA;
            await Router.SetRouteAsync(organization, next.Url, TestOptions, TestContext.Current.CancellationToken);
            await client.EventuallyAsync(Url(Hostname(organization)), next.Name);
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.True(served.GetValueOrDefault(BackendA.Name) > 0 && served.GetValueOrDefault(BackendB.Name) > 0, $"Served: {string.Join(", ", served)}");
    }
}
