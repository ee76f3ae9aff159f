using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Gateways;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Gateways;

/// <summary>The reference implementation double-allocated under concurrent starts, or answered 503 while gateways were free.</summary>
public sealed class PoolConcurrencyTests : IAsyncLifetime
{
    private readonly PoolFixture _pool = new();

    public ValueTask InitializeAsync() => _pool.InitializeAsync();

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    [Fact]
    public async Task Start_200ParallelFor20Organizations_ExactlyOneGatewayPerOrganizationAndNo503()
    {
        for (var i = 0; i < 25; i++)
        {
            await _pool.AddReadyWorkerAsync();
        }

        var organizations = new List<(TestUser Owner, string OrganizationId)>();
        for (var i = 0; i < 20; i++)
        {
            organizations.Add(await _pool.NewOrganizationAsync());
        }

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            var (owner, organizationId) = organizations[i % 20];
            using var response = await PoolFixture.StartGatewayAsync(owner.Client, organizationId);
            return (organizationId, response.StatusCode, Body: await response.Content.ReadFromJsonAsync<JsonElement>());
        }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var gatewayByOrganization = responses.GroupBy(r => r.organizationId)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Body.GetProperty("gateway_id").GetString()).Distinct().Single());
        Assert.Equal(20, gatewayByOrganization.Count);
        Assert.Equal(20, gatewayByOrganization.Values.Distinct().Count());
        var current = await _pool.Store.AllocationListCurrentAsync(CancellationToken.None);
        Assert.Equal(20, current.Count);
        var gateways = await _pool.Store.GatewayListAsync(CancellationToken.None);
        Assert.Equal(20, gateways.Count(g => g.State == GatewayState.Allocated));
        Assert.Equal(5, gateways.Count(g => g.State == GatewayState.Ready));
    }

    [Fact]
    public async Task Start_MoreOrganizationsThanGateways_EveryFreeGatewayIsUsedThen503WithRetryAfter()
    {
        for (var i = 0; i < 3; i++)
        {
            await _pool.AddReadyWorkerAsync();
        }

        var organizations = new List<(TestUser Owner, string OrganizationId)>();
        for (var i = 0; i < 6; i++)
        {
            organizations.Add(await _pool.NewOrganizationAsync());
        }

        var responses = await Task.WhenAll(organizations.Select(async o =>
        {
            var response = await PoolFixture.StartGatewayAsync(o.Owner.Client, o.OrganizationId);
            return response;
        }));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.Equal(3, refused.Count);
        foreach (var response in refused)
        {
            await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "pool-exhausted");
            Assert.NotNull(response.Headers.RetryAfter);
        }

        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}
