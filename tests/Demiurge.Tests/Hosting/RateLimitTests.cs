using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Demiurge.Common;
using Demiurge.Hosting;
using Demiurge.Protocol;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Hosting;

/// <summary>The API's rate limits, against a real control plane, with callers on their own loopback source addresses.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task Token_OverTheLimit_Gets429ProblemWithRetryAfterAndWritesNothing_AnotherTokenIsUnaffected()
    {
        await using var fixture = await StartAsync(requests: "5");
        var alice = await fixture.CreateUserAsync();
        var bob = await fixture.CreateUserAsync();

        for (var i = 0; i < 5; i++)
        {
            using var allowed = await alice.Client.GetAsync("/users/me");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var refused = await alice.Client.PostAsJsonAsync("/orgs", new { name = "Over the limit" });
        await Problems.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate-limited");
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter is { } delay && delay > TimeSpan.Zero && delay <= TimeSpan.FromMinutes(1), $"Retry-After: {refused.Headers.RetryAfter}");

        using var other = await bob.Client.GetAsync("/users/me");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var organizations = await fixture.Admin.GetFromJsonAsync<JsonElement>("/orgs");
        Assert.DoesNotContain(organizations.EnumerateArray(), o => o.GetProperty("name").GetString() == "Over the limit");
    }

    [Fact]
    public async Task Anonymous_OverTheLimit_IsLimitedPerSourceAddress_ApartFromTokens()
    {
        await using var fixture = await StartAsync(requests: "3");
        var alice = await fixture.CreateUserAsync();
        using var anonymous = FromAddress(fixture.ApiUrl, "127.0.0.2");
        using var wrongToken = FromAddress(fixture.ApiUrl, "127.0.0.2", "dmg_not-a-token");
        using var aliceThere = FromAddress(fixture.ApiUrl, "127.0.0.2", alice.Token);
        using var elsewhere = FromAddress(fixture.ApiUrl, "127.0.0.3");

        for (var i = 0; i < 3; i++)
        {
            using var unauthorized = await anonymous.GetAsync("/orgs");
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        }

        using var refused = await anonymous.GetAsync("/orgs");
        await Problems.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        // A wrong token is anonymous: it counts against its address, so guessing tokens is limited too.
        using var guessed = await wrongToken.GetAsync("/orgs");
        Assert.Equal(HttpStatusCode.TooManyRequests, guessed.StatusCode);

        using var otherAddress = await elsewhere.GetAsync("/orgs");
        Assert.Equal(HttpStatusCode.Unauthorized, otherAddress.StatusCode);
        using var authenticated = await aliceThere.GetAsync("/users/me");
        Assert.Equal(HttpStatusCode.OK, authenticated.StatusCode);
    }

    [Fact]
    public async Task GatewayProtocolHealthAndMetrics_FromALimitedAddress_AreNeverLimited()
    {
        await using var fixture = await StartAsync(requests: "2");
        using var limited = FromAddress(fixture.ApiUrl, "127.0.0.4");
        for (var i = 0; i < 2; i++)
        {
            (await limited.GetAsync("/orgs")).Dispose();
        }

        // The limit holds on /gateway/ for users' calls...
        using var start = await limited.PostAsJsonAsync("/gateway/start", new { organization_id = Guid.NewGuid() });
        Assert.Equal(HttpStatusCode.TooManyRequests, start.StatusCode);

        // ...but not on the gateways' own protocol, nor on health and metrics.
        foreach (var path in new[] { GatewayPaths.Ready, GatewayPaths.Config, GatewayPaths.DataPull, GatewayPaths.DataPush, GatewayPaths.Stop })
        {
            for (var i = 0; i < 3; i++)
            {
                using var call = await limited.PostAsJsonAsync(path, new { });
                Assert.True(call.StatusCode is not HttpStatusCode.TooManyRequests && (int)call.StatusCode is >= 400 and < 500, $"{path}: {(int)call.StatusCode}");
            }
        }

        foreach (var path in new[] { "/healthz", "/readyz", "/metrics" })
        {
            for (var i = 0; i < 3; i++)
            {
                using var call = await limited.GetAsync(path);
                Assert.True(call.StatusCode == HttpStatusCode.OK, $"{path}: {(int)call.StatusCode}");
            }
        }
    }

    [Fact]
    public void Create_InvalidRateLimitSettings_ListsBoth()
    {
        var settings = ControlPlaneFixture.QuietSettings(Path.GetTempPath());
        settings[RateLimits.Requests.ConfigurationKey] = "0";
        settings[RateLimits.Window.ConfigurationKey] = "500ms";

        var exception = Assert.Throws<ConfigurationException>(() => ControlPlane.Create(settings, environment: new Dictionary<string, string>()));

        Assert.Equal(2, exception.Errors.Count);
        Assert.Contains(exception.Errors, e => e.StartsWith("--rate-limit (DEMIURGE_RATE_LIMIT, Demiurge:RateLimit:Requests) '0'", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.StartsWith("--rate-limit-window (DEMIURGE_RATE_LIMIT_WINDOW, Demiurge:RateLimit:Window) '500ms'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("off", null, null, 10)]
    [InlineData("7", "1m", 7, 60)]
    public async Task Create_ValidSettings_BindsPermitsAndWindow(string requests, string? window, int? permits, int windowSeconds)
    {
        var settings = ControlPlaneFixture.QuietSettings(Path.GetTempPath());
        settings[RateLimits.Requests.ConfigurationKey] = requests;
        if (window is not null)
        {
            settings[RateLimits.Window.ConfigurationKey] = window;
        }

        await using var controlPlane = ControlPlane.Create(settings, environment: new Dictionary<string, string>());

        Assert.Equal(permits, controlPlane.Options.RateLimit.Requests);
        Assert.Equal(TimeSpan.FromSeconds(windowSeconds), controlPlane.Options.RateLimit.Window);
    }

    private static async Task<ControlPlaneFixture> StartAsync(string requests)
    {
        var fixture = new ControlPlaneFixture();
        fixture.ExtraSettings[RateLimits.Requests.ConfigurationKey] = requests;
        // Long enough that no window ends during a test.
        fixture.ExtraSettings[RateLimits.Window.ConfigurationKey] = "1m";
        await fixture.InitializeAsync();
        return fixture;
    }

    /// <summary>A client whose connections come from <paramref name="source"/>, another loopback address.</summary>
    private static HttpClient FromAddress(Uri api, string source, string? token = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = api };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }
}
