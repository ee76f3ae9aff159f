using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Common;
using Demiurge.Hosting;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Security;

/// <summary>
/// A real control plane (no rate limit: the matrix and the fuzzer send thousands of requests per
/// token) with one organization whose owner, admin, member and viewer are users, the owner of
/// another organization, a system admin and no token at all: the callers of docs/permissions.json.
/// </summary>
public sealed class TenantFixture : IAsyncLifetime
{
    private int _sequence;

    public ControlPlaneFixture ControlPlane { get; } = new();

    public string OrganizationId { get; private set; } = null!;

    public TestUser Owner { get; private set; } = null!;

    /// <summary>
    /// The callers by the names docs/permissions.json gives its columns, in its order: to add one,
    /// add a client here and a column to every row of the table. The three API keys are the owner's:
    /// one expired, one whose only scope (<c>deploy:write</c>) no endpoint of the matrix takes, and
    /// one with <c>org:read</c> and <c>org:write</c> limited to another organization the owner owns.
    /// </summary>
    public IReadOnlyDictionary<string, HttpClient> Callers { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        ControlPlane.ExtraSettings[RateLimits.Requests.ConfigurationKey] = Durations.Off;
        await ControlPlane.InitializeAsync();
        Owner = await ControlPlane.CreateUserAsync();
        OrganizationId = await ControlPlaneFixture.CreateOrganizationAsync(Owner.Client);
        var outsider = await ControlPlane.CreateUserAsync();
        await ControlPlaneFixture.CreateOrganizationAsync(outsider.Client, "Other");
        var expiredKey = await CreateAsync("/tokens", new { name = "expired", scopes = ReadScope, expires_in = 1 }, "token");
        var wrongScopeKey = await CreateAsync("/tokens", new { name = "wrong-scope", scopes = WrongScope }, "token");
        var ownersOther = await ControlPlaneFixture.CreateOrganizationAsync(Owner.Client, "Owner's other");
        var otherOrganizationKey = await CreateAsync("/tokens", new { name = "other-org", scopes = OtherOrganizationScopes, organization_id = ownersOther }, "token");
        Callers = new Dictionary<string, HttpClient>
        {
            ["anonymous"] = ControlPlane.Client(),
            ["outsider"] = outsider.Client,
            ["viewer"] = (await MemberAsync("viewer")).Client,
            ["member"] = (await MemberAsync("member")).Client,
            ["admin"] = (await MemberAsync("admin")).Client,
            ["owner"] = Owner.Client,
            ["system_admin"] = ControlPlane.Admin,
            ["expired_key"] = ControlPlane.Client(expiredKey),
            ["wrong_scope_key"] = ControlPlane.Client(wrongScopeKey),
            ["other_org_key"] = ControlPlane.Client(otherOrganizationKey),
        };

        // expires_in counts whole seconds from creation: past it, the key is refused.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
    }

    /// <summary>A unique suffix for names (projects, secrets, organizations) that must not collide.</summary>
    public string Unique() => Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A new user added to the organization with <paramref name="role"/> by its owner.</summary>
    public async Task<TestUser> MemberAsync(string role)
    {
        var user = await ControlPlane.CreateUserAsync();
        using var added = await Owner.Client.PostAsJsonAsync($"/orgs/{OrganizationId}/members", new { user_id = user.UserId, role });
        added.EnsureSuccessStatusCode();
        return user;
    }

    public Task<string> ProjectAsync() => CreateAsync($"/orgs/{OrganizationId}/projects", new { name = "p" + Unique() }, "project_id");

    /// <summary>The scopes of the API keys the matrix makes.</summary>
    public static readonly string[] ReadScope = ["org:read"];

    /// <summary>A scope that no endpoint of the matrix takes.</summary>
    public static readonly string[] WrongScope = ["deploy:write"];

    /// <summary>The scopes of the key limited to another organization: every call the owner could make but for the organization.</summary>
    public static readonly string[] OtherOrganizationScopes = ["org:read", "org:write"];

    /// <summary>An API key of the owner's.</summary>
    public Task<string> ApiKeyAsync() => CreateAsync("/tokens", new { name = "k" + Unique(), scopes = ReadScope }, "key_id");

    public Task<string> SecretAsync() => CreateAsync($"/orgs/{OrganizationId}/secrets", new { name = "S" + Unique(), value = "v" }, "secret_id");

    /// <summary>Every audit event the store holds, paged through <c>GET /events</c>.</summary>
    public async Task<List<JsonElement>> EventsAsync()
    {
        var events = new List<JsonElement>();
        long after = 0;
        while (true)
        {
            var page = await ControlPlane.Admin.GetFromJsonAsync<JsonElement[]>($"/events?after={after}&limit=1000");
            if (page is not { Length: > 0 })
            {
                return events;
            }

            events.AddRange(page);
            after = page[^1].GetProperty("seq").GetInt64();
        }
    }

    private async Task<string> CreateAsync(string path, object body, string idProperty)
    {
        using var response = await Owner.Client.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty(idProperty).GetString()!;
    }

    public async ValueTask DisposeAsync() => await ControlPlane.DisposeAsync();
}
