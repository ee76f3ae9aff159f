using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Hosting;

/// <summary>Every class of error answers RFC 9457 problem+json, and none of them writes anything.</summary>
public sealed class ProblemDetailsTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task MalformedJson_Returns400Malformed()
    {
        using var response = await PostRawAsync("/orgs", """{"name": "unterminated""", "application/json");

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed");
        Assert.Contains("JSON", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNoOrganizationNamedAsync("unterminated");
    }

    [Fact]
    public async Task UnknownField_Returns400NamingIt()
    {
        using var response = await PostRawAsync("/orgs", """{"name":"Typo Co","nmae":"x"}""", "application/json");

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed");
        Assert.Contains("nmae", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNoOrganizationNamedAsync("Typo Co");
    }

    [Fact]
    public async Task WrongJsonType_Returns400NamingThePath()
    {
        using var response = await PostRawAsync("/orgs", """{"name":42}""", "application/json");

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed");
        Assert.Contains("$.name", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    public async Task EmptyOrNonObjectBody_Returns400(string body)
    {
        using var response = await PostRawAsync("/orgs", body, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task WrongMediaType_Returns415()
    {
        using var response = await PostRawAsync("/orgs", """{"name":"x"}""", "text/plain");

        await Problems.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Fact]
    public async Task OversizedBody_Returns413AndWritesNothing()
    {
        var name = "Huge " + new string('x', 70_000);

        using var response = await PostRawAsync("/orgs", JsonSerializer.Serialize(new { name }), "application/json");

        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "too-large");
        await AssertNoOrganizationNamedAsync(name);
    }

    [Fact]
    public async Task OversizedChunkedBody_Returns413()
    {
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { name = new string('y', 70_000) }))));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orgs") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await fixture.Admin.SendAsync(request);

        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "too-large");
    }

    [Fact]
    public async Task MissingToken_Returns401WithChallenge()
    {
        using var response = await fixture.Client().GetAsync("/orgs");

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Theory]
    [InlineData("Bearer dmg_not-a-real-token")]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    [InlineData("Bearer")]
    public async Task BadCredentials_Returns401WithReason(string header)
    {
        using var client = new HttpClient { BaseAddress = fixture.ApiUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orgs");
        request.Headers.TryAddWithoutValidation("Authorization", header);

        using var response = await client.SendAsync(request);

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task UnknownRoute_Returns404Problem()
    {
        using var response = await fixture.Admin.GetAsync("/no/such/thing");

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, "not-found");
        Assert.Contains("/no/such/thing", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongMethod_Returns405Problem()
    {
        using var response = await fixture.Admin.DeleteAsync("/orgs");

        await Problems.AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
    }

    [Fact]
    public async Task BadQueryParameter_Returns400()
    {
        using var response = await fixture.Admin.GetAsync("/events?limit=many");

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed");
    }

    [Fact]
    public async Task Problem_CarriesTheRequestIdOfTheResponseHeader()
    {
        using var response = await fixture.Admin.GetAsync($"/orgs/{Guid.NewGuid()}");

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, "not-found");
        Assert.Equal(Assert.Single(response.Headers.GetValues("X-Request-Id")), problem.GetProperty("request_id").GetString());
    }

    private async Task<HttpResponseMessage> PostRawAsync(string path, string body, string mediaType)
    {
        using var content = new StringContent(body, Encoding.UTF8, mediaType);
        return await fixture.Admin.PostAsync(path, content);
    }

    private async Task AssertNoOrganizationNamedAsync(string name)
    {
        var organizations = await fixture.Admin.GetFromJsonAsync<JsonElement>("/orgs");
        Assert.DoesNotContain(organizations.EnumerateArray(), o => o.GetProperty("name").GetString() == name);
    }
}
