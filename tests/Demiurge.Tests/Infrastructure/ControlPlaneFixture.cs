using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.Infrastructure;

/// <summary>
/// A real control plane (Kestrel on a free loopback port, the run's store: SQLite in a temporary folder or a fresh PostgreSQL database),
/// shared by the tests of one class.
/// </summary>
public sealed class ControlPlaneFixture : IAsyncLifetime
{
    private readonly List<HttpClient> _clients = [];

    public TempDirectory DataDir { get; } = new();

    internal ControlPlane ControlPlane { get; private set; } = null!;

    public string AdminToken { get; private set; } = null!;

    public Uri ApiUrl => ControlPlane.ApiUrl;

    public HttpClient Admin { get; private set; } = null!;

    /// <summary>Services registered before the defaults, e.g. to inject faults; set before initializing.</summary>
    internal Action<IServiceCollection>? Overrides { get; set; }

    /// <summary>Settings by configuration key on top of <see cref="QuietSettings"/>; set before initializing.</summary>
    public Dictionary<string, string?> ExtraSettings { get; } = [];

    public async ValueTask InitializeAsync()
    {
        var settings = QuietSettings(DataDir.Path);
        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }

        ControlPlane = ControlPlane.Create(settings, environment: new Dictionary<string, string>(), Overrides);
        AdminToken = await ControlPlane.StartAsync(CancellationToken.None)
            ?? throw new InvalidOperationException("A fresh data directory must generate an admin token.");
        Admin = Client(AdminToken);
    }

    /// <summary>
    /// Settings for a test control plane: free port, temporary data, no gateway workers, warnings
    /// only, and the run's store (<see cref="TestStore"/>).
    /// </summary>
    public static Dictionary<string, string?> QuietSettings(string dataDir)
    {
        var settings = TestStore.Settings(dataDir);
        settings[Settings.DataDir.ConfigurationKey] = dataDir;
        settings[Settings.ApiPort.ConfigurationKey] = "0";
        settings[Settings.PoolSize.ConfigurationKey] = "0";
        settings[Settings.PoolMinReady.ConfigurationKey] = "0";
        settings["Logging:LogLevel:Default"] = "Warning";
        return settings;
    }

    /// <summary>A client for the API; with a token it authenticates as that token's user.</summary>
    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = ApiUrl };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        _clients.Add(client);
        return client;
    }

    /// <summary>Creates a user through the API and returns its id and a client that acts as it.</summary>
    public async Task<TestUser> CreateUserAsync(string? username = null)
    {
        username ??= "u" + Guid.NewGuid().ToString("N")[..12];
        using var response = await Admin.PostAsJsonAsync("/users", new { username });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("token").GetString()!;
        return new TestUser(body.GetProperty("user_id").GetString()!, username, token, Client(token));
    }

    /// <summary>Creates an organization owned by <paramref name="owner"/> and returns its id.</summary>
    public static async Task<string> CreateOrganizationAsync(HttpClient owner, string name = "Acme")
    {
        using var response = await owner.PostAsJsonAsync("/orgs", new { name });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("organization_id").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        if (ControlPlane is not null)
        {
            await ControlPlane.StopAsync(CancellationToken.None);
            await ControlPlane.DisposeAsync();
        }

        DataDir.Dispose();
    }
}

public sealed record TestUser(string UserId, string Username, string Token, HttpClient Client);
