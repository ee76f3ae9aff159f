using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Security;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.Security;

/// <summary>Secrets go in, never out: sealed in the store, shown without their value, managed by owners and admins.</summary>
public sealed class SecretEndpointsTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task Create_Owner_201WithoutTheValue_SealedInTheStore_AndRevealedOnlyInside()
    {
        var owner = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client);
        const string value = "s3cr3t-value-that-must-never-leak";

        using var created = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/secrets", new { name = "DATABASE_PASSWORD", value });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadAsStringAsync();
        Assert.DoesNotContain(value, body, StringComparison.Ordinal);
        var secretId = JsonDocument.Parse(body).RootElement.GetProperty("secret_id").GetString()!;
        var listed = await owner.Client.GetStringAsync($"/orgs/{organizationId}/secrets");
        Assert.Contains("DATABASE_PASSWORD", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(value, listed, StringComparison.Ordinal);

        var store = fixture.ControlPlane.Services.GetRequiredService<IKeyRingStore>();
        var stored = await store.SecretGetAsync(secretId, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.DoesNotContain(value, stored.Ciphertext, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value)), stored.Ciphertext, StringComparison.Ordinal);
        Assert.Equal(value, await fixture.ControlPlane.Services.GetRequiredService<SecretService>().RevealAsync(secretId, CancellationToken.None));
    }

    [Fact]
    public async Task Secrets_MemberOrViewer403_Outsider404_DuplicateName409_BadName400_AndNothingWritten()
    {
        var owner = await fixture.CreateUserAsync();
        var member = await fixture.CreateUserAsync();
        var outsider = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client);
        (await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/members", new { user_id = member.UserId, role = "member" })).EnsureSuccessStatusCode();
        (await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/secrets", new { name = "TOKEN", value = "one" })).EnsureSuccessStatusCode();

        using var byMember = await member.Client.PostAsJsonAsync($"/orgs/{organizationId}/secrets", new { name = "OTHER", value = "x" });
        using var listByMember = await member.Client.GetAsync(new Uri($"/orgs/{organizationId}/secrets", UriKind.Relative));
        using var byOutsider = await outsider.Client.PostAsJsonAsync($"/orgs/{organizationId}/secrets", new { name = "OTHER", value = "x" });
        using var duplicate = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/secrets", new { name = "TOKEN", value = "two" });
        using var badName = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/secrets", new { name = "1 bad name", value = "x" });
        using var empty = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/secrets", new { name = "EMPTY", value = "" });

        await Problems.AssertProblemAsync(byMember, HttpStatusCode.Forbidden, "forbidden");
        await Problems.AssertProblemAsync(listByMember, HttpStatusCode.Forbidden, "forbidden");
        await Problems.AssertProblemAsync(byOutsider, HttpStatusCode.NotFound, "not-found");
        await Problems.AssertProblemAsync(duplicate, HttpStatusCode.Conflict, "conflict");
        await Problems.AssertProblemAsync(badName, HttpStatusCode.BadRequest, "validation");
        await Problems.AssertProblemAsync(empty, HttpStatusCode.BadRequest, "validation");
        var names = (await owner.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}/secrets")).EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.Equal(["TOKEN"], names);
    }

    [Fact]
    public async Task Delete_OwnSecret204_AnotherOrganizationsSecret404()
    {
        var owner = await fixture.CreateUserAsync();
        var other = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client);
        var otherOrganizationId = await ControlPlaneFixture.CreateOrganizationAsync(other.Client);
        using var created = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/secrets", new { name = "KEY", value = "v" });
        var secretId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret_id").GetString();

        using var throughOtherOrganization = await other.Client.DeleteAsync(new Uri($"/orgs/{otherOrganizationId}/secrets/{secretId}", UriKind.Relative));
        using var deleted = await owner.Client.DeleteAsync(new Uri($"/orgs/{organizationId}/secrets/{secretId}", UriKind.Relative));
        using var again = await owner.Client.DeleteAsync(new Uri($"/orgs/{organizationId}/secrets/{secretId}", UriKind.Relative));

        await Problems.AssertProblemAsync(throughOtherOrganization, HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Problems.AssertProblemAsync(again, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Rotate_SystemAdmin_EverySecretResealedByTheNewKey_TheOldKeyRetired_ValuesKept()
    {
        var owner = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client);
        var ids = new Dictionary<string, string>();
        for (var i = 0; i < 20; i++)
        {
            using var created = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/secrets", new { name = $"ROTATE_{i}", value = $"value {i}" });
            ids[(await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret_id").GetString()!] = $"value {i}";
        }

        var before = await fixture.Admin.GetFromJsonAsync<JsonElement>("/key-ring");
        using var byOwner = await owner.Client.PostAsync(new Uri("/key-ring/rotate", UriKind.Relative), null);
        using var rotated = await fixture.Admin.PostAsync(new Uri("/key-ring/rotate", UriKind.Relative), null);

        await Problems.AssertProblemAsync(byOwner, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.Accepted, rotated.StatusCode);
        var oldKey = before.GetProperty("active_data_key_id").GetString();
        var newKey = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("active_data_key_id").GetString();
        Assert.NotEqual(oldKey, newKey);
        var ring = await WaitForAsync(async () =>
        {
            var status = await fixture.Admin.GetFromJsonAsync<JsonElement>("/key-ring");
            return status.GetProperty("rotating").GetBoolean() ? null : (JsonElement?)status;
        });
        var keys = ring.GetProperty("keys").EnumerateArray().ToList();
        Assert.DoesNotContain(keys, k => k.GetProperty("key_id").GetString() == oldKey);
        var store = fixture.ControlPlane.Services.GetRequiredService<IKeyRingStore>();
        var secrets = fixture.ControlPlane.Services.GetRequiredService<SecretService>();
        foreach (var (secretId, value) in ids)
        {
            Assert.Equal(newKey, (await store.SecretGetAsync(secretId, CancellationToken.None))!.KeyId);
            Assert.Equal(value, await secrets.RevealAsync(secretId, CancellationToken.None));
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe) where T : struct
    {
        for (var i = 0; i < 200; i++)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The rotation did not finish within 20 s.");
    }
}
