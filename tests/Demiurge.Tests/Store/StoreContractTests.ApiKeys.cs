using Demiurge.ApiKeys;
using Demiurge.Common;
using Demiurge.Events;
using Demiurge.Identity;
using Demiurge.Store;

namespace Demiurge.Tests.Store;

/// <summary>The contract of API keys (migration 0009).</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task ApiKeyFindByTokenHashAsync_CreatedKey_RoundTripsKeyAndCreatorAndOneEvent()
    {
        var user = await CreateUserAsync("robot-owner", isAdmin: true);
        var organization = await CreateOrganizationAsync(user.UserId, "Acme");
        var key = NewKey(user.UserId, organization.OrganizationId, ApiKeyScopes.OrgRead, ApiKeyScopes.Admin);
        var created = NewEvent(EventKinds.ApiKeyCreated, user.UserId, organization.OrganizationId, key.KeyId);
        var before = await AllEventsAsync();

        await Keys.ApiKeyCreateAsync(key, Tokens.Hash("dmk_secret"), created, Ct);

        var holder = await Keys.ApiKeyFindByTokenHashAsync(Tokens.Hash("dmk_secret"), Ct);
        Assert.NotNull(holder);
        Assert.Equal(user, holder.Creator);
        AssertSameKey(key, holder.Key);
        Assert.Equal([.. before, created], await AllEventsAsync());
        Assert.Null(await Keys.ApiKeyFindByTokenHashAsync(Tokens.Hash("dmk_other"), Ct));
    }

    [Fact]
    public async Task ApiKeyListAsync_ByUserOrAll_OnlyTheirKeysOldestFirst()
    {
        var alice = await CreateUserAsync("alice");
        var bob = await CreateUserAsync("bob");
        var first = await CreateKeyAsync(alice.UserId);
        var bobs = await CreateKeyAsync(bob.UserId);
        var second = await CreateKeyAsync(alice.UserId);

        Assert.Equal([first.KeyId, second.KeyId], (await Keys.ApiKeyListAsync(alice.UserId, Ct)).Select(k => k.KeyId));
        Assert.Equal([first.KeyId, bobs.KeyId, second.KeyId], (await Keys.ApiKeyListAsync(null, Ct)).Select(k => k.KeyId));
        AssertSameKey(bobs, (await Keys.ApiKeyGetAsync(bobs.KeyId, Ct))!);
    }

    [Fact]
    public async Task ApiKeyRevokeAsync_Twice_RevokesOnceWithOneEvent()
    {
        var user = await CreateUserAsync("alice");
        var key = await CreateKeyAsync(user.UserId);
        var revokedAt = Tick();
        var first = NewEvent(EventKinds.ApiKeyRevoked, user.UserId, subjectId: key.KeyId);
        var before = await AllEventsAsync();

        Assert.True(await Keys.ApiKeyRevokeAsync(key.KeyId, revokedAt, first, Ct));
        Assert.False(await Keys.ApiKeyRevokeAsync(key.KeyId, Tick(), NewEvent(EventKinds.ApiKeyRevoked, user.UserId, subjectId: key.KeyId), Ct));
        Assert.False(await Keys.ApiKeyRevokeAsync(Ids.New(), Tick(), NewEvent(EventKinds.ApiKeyRevoked, user.UserId), Ct));

        Assert.Equal(revokedAt, (await Keys.ApiKeyGetAsync(key.KeyId, Ct))!.RevokedAt);
        Assert.Equal([.. before, first], await AllEventsAsync());
    }

    [Fact]
    public async Task ApiKeyTouchAsync_AgainWithinTheInterval_KeepsTheFirstUseAndAppendsNoEvent()
    {
        var user = await CreateUserAsync("alice");
        var key = await CreateKeyAsync(user.UserId);
        var before = await AllEventsAsync();
        var used = Tick();

        Assert.True(await Keys.ApiKeyTouchAsync(key.KeyId, used, used.AddMinutes(-1), Ct));
        var soon = used.AddSeconds(30);
        Assert.False(await Keys.ApiKeyTouchAsync(key.KeyId, soon, soon.AddMinutes(-1), Ct));
        Assert.Equal(used, (await Keys.ApiKeyGetAsync(key.KeyId, Ct))!.LastUsedAt);

        var later = used.AddMinutes(2);
        Assert.True(await Keys.ApiKeyTouchAsync(key.KeyId, later, later.AddMinutes(-1), Ct));
        Assert.Equal(later, (await Keys.ApiKeyGetAsync(key.KeyId, Ct))!.LastUsedAt);
        Assert.Equal(before, await AllEventsAsync());
    }

    private IApiKeyStore Keys => Store.ApiKeys;

    private ApiKey NewKey(string userId, string? organizationId = null, params string[] scopes)
    {
        var now = Tick();
        return new ApiKey(Ids.New(), userId, "ci " + Ids.New()[..8], scopes.Length == 0 ? [ApiKeyScopes.OrgRead] : scopes, organizationId, now, now.AddDays(30), null, null);
    }

    private async Task<ApiKey> CreateKeyAsync(string userId)
    {
        var key = NewKey(userId);
        await Keys.ApiKeyCreateAsync(key, Tokens.Hash(key.KeyId), NewEvent(EventKinds.ApiKeyCreated, userId, subjectId: key.KeyId), Ct);
        return key;
    }

    /// <summary>Field by field: the scopes are a list, which records compare by reference.</summary>
    private static void AssertSameKey(ApiKey expected, ApiKey actual)
    {
        Assert.Equal(expected.Scopes, actual.Scopes);
        string[] none = [];
        Assert.Equal(expected with { Scopes = none }, actual with { Scopes = none });
    }
}
