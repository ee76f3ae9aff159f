using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Events;

public sealed class EventEndpointsTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task Events_RecordEachAdminAndMembershipAction()
    {
        var owner = await fixture.CreateUserAsync();
        var member = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client);
        using var add = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/members", new { user_id = member.UserId, role = "admin" });
        using var project = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/projects", new { name = "audited" });

        var events = (await fixture.Admin.GetFromJsonAsync<JsonElement>("/events?limit=1000")).EnumerateArray().ToList();

        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "user.created" && e.GetProperty("subject_id").GetString() == member.UserId);
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "organization.created" && e.GetProperty("organization_id").GetString() == organizationId
            && e.GetProperty("actor_user_id").GetString() == owner.UserId);
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "organization.member_added" && e.GetProperty("subject_id").GetString() == member.UserId
            && e.GetProperty("detail").GetString() == "admin");
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "project.created" && e.GetProperty("detail").GetString() == "audited");
    }

    [Fact]
    public async Task Events_PageWithAfterAndLimit()
    {
        await fixture.CreateUserAsync();
        await fixture.CreateUserAsync();
        var all = (await fixture.Admin.GetFromJsonAsync<JsonElement>("/events?limit=1000")).EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).ToList();

        var firstPage = (await fixture.Admin.GetFromJsonAsync<JsonElement>("/events?limit=2")).EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).ToList();
        var secondPage = (await fixture.Admin.GetFromJsonAsync<JsonElement>($"/events?limit=2&after={firstPage[^1]}")).EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).ToList();

        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all);
        Assert.Equal(all.Take(2), firstPage);
        Assert.Equal(all.Skip(2).Take(2), secondPage);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task Events_LimitOutOfRange_Returns400(int limit)
    {
        using var response = await fixture.Admin.GetAsync($"/events?limit={limit}");

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
    }

    // Found by the HTTP fuzzer: a negative cursor answered the whole trail as if it were 0.
    [Fact]
    public async Task Events_NegativeAfter_Returns400()
    {
        using var response = await fixture.Admin.GetAsync("/events?after=-5");

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task Events_AsNonAdmin_Returns403()
    {
        var user = await fixture.CreateUserAsync();

        using var response = await user.Client.GetAsync("/events");

        await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }
}
