using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Hosting;

public sealed partial class OperationsEndpointsTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_WithoutToken_ReportsHealthy(string path)
    {
        using var response = await fixture.Client().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("healthy", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_ChecksTheStore()
    {
        var body = await fixture.Client().GetFromJsonAsync<JsonElement>("/readyz");

        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("store").GetString());
    }

    [Fact]
    public async Task OpenApi_DescribesEveryEndpointAndBearerAuth()
    {
        var document = await fixture.Client().GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/users", "/users/me", "/orgs", "/orgs/{organization_id}", "/orgs/{organization_id}/members", "/orgs/{organization_id}/projects", "/events" })
        {
            Assert.True(paths.TryGetProperty(path, out _) || paths.TryGetProperty(path + "/", out _), $"OpenAPI lacks {path}: {string.Join(", ", paths.EnumerateObject().Select(p => p.Name))}");
        }

        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task Docs_ServesBrowsableUiWithLocalAssets()
    {
        using var client = fixture.Client();
        var html = await client.GetStringAsync("/docs/");

        Assert.Contains("<script", html, StringComparison.OrdinalIgnoreCase);
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            Assert.False(script.StartsWith("http", StringComparison.Ordinal), $"The docs UI loads {script} from another host.");
            using var response = await client.GetAsync(new Uri(new Uri(fixture.ApiUrl, "/docs/"), script));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    /// <remarks>
    /// Several test hosts share this process, and OpenTelemetry keeps the first of same-named
    /// per-host meters (ASP.NET's HTTP meter among them), so the HTTP histograms are checked in
    /// the single-host <c>EndToEnd</c> test instead; the domain meter is process-wide.
    /// </remarks>
    [Fact]
    public async Task Metrics_ExportsDomainCountersInPrometheusFormat()
    {
        var before = await ScrapeCounterAsync("demiurge_organizations_created_total");
        await ControlPlaneFixture.CreateOrganizationAsync(fixture.Admin, "Metered");

        var after = await ScrapeCounterAsync("demiurge_organizations_created_total");

        Assert.True(after >= before + 1, $"organizations created went from {before} to {after}");
    }

    [Fact]
    public async Task EveryResponse_CarriesARequestId()
    {
        using var first = await fixture.Client().GetAsync("/healthz");
        using var second = await fixture.Client().GetAsync("/healthz");

        var a = Assert.Single(first.Headers.GetValues("X-Request-Id"));
        var b = Assert.Single(second.Headers.GetValues("X-Request-Id"));
        Assert.NotEqual(a, b);
    }

    private async Task<double> ScrapeCounterAsync(string name)
    {
        var text = await fixture.Client().GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("""<script[^>]*\ssrc="([^"]+)""")]
    private static partial Regex ScriptSource();
}
