using System.Text.Json;
using Demiurge.Protocol;
using static Demiurge.Tests.GatewayProcess.ManagerCalls;

namespace Demiurge.Tests.GatewayProcess.OAuth;

/// <summary>The OAuth cleanup timer (<c>--oauth-cleanup-interval</c>) on a fake clock: when it runs, what it removes, and that it is not activity.</summary>
public sealed class OAuthCleanupTests
{
    [Fact]
    public async Task Cleanup_RemovesExpiredEntriesOnScheduleAndNotBefore()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true, oauthCleanup: TimeSpan.FromMinutes(10));
        var org = await TestOrganization.ServeAsync(gateway);
        var servedAt = gateway.Time.GetUtcNow();
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var tokens = await SignInAsync(gateway, org.Member, container);
        var pendingCode = await AuthorizeCodeAsync(gateway, org.Member, container, NewPkce().Challenge);
        Assert.Equal(4, EntryCount(gateway)); // two codes (one used), one access token, one refresh token

        // Both codes expire at 5 min; the first cleanup is due at 10 min.
        await gateway.JumpAsync(TimeSpan.FromMinutes(6));
        Assert.Equal(4, EntryCount(gateway));
        await gateway.JumpAsync(TimeSpan.FromMinutes(4) - TimeSpan.FromSeconds(1));
        Assert.Equal(4, EntryCount(gateway));

        await gateway.JumpAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(servedAt + TimeSpan.FromMinutes(10), gateway.Time.GetUtcNow());
        Assert.Equal(2, EntryCount(gateway));
        // What it removed is saved: the next autosave carries the smaller state.
        await gateway.TickAsync();
        var oauth = StoredState(gateway, org.OrganizationId).GetProperty("oauth");
        Assert.Empty(oauth.GetProperty("codes").EnumerateArray());
        Assert.DoesNotContain(Sha256(pendingCode), oauth.GetRawText(), StringComparison.Ordinal);
        Assert.Single(oauth.GetProperty("access_tokens").EnumerateArray());
        Assert.Single(oauth.GetProperty("refresh_tokens").EnumerateArray());

        // The access token expires at 60 min. One jump to 59 min is one cleanup (nothing to
        // remove), and the next is due 10 min after it ran.
        await gateway.JumpAsync(servedAt + TimeSpan.FromMinutes(59) - gateway.Time.GetUtcNow());
        Assert.Equal(2, EntryCount(gateway));
        await gateway.JumpAsync(TimeSpan.FromMinutes(6));
        Assert.Equal(2, EntryCount(gateway));
        // Expired but not yet removed: refused all the same.
        Assert.False((await IntrospectOkAsync(gateway, container, tokens.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());

        await gateway.JumpAsync(TimeSpan.FromMinutes(4));

        Assert.Equal(servedAt + TimeSpan.FromMinutes(69), gateway.Time.GetUtcNow());
        Assert.Equal(1, EntryCount(gateway));
    }

    [Fact]
    public async Task Cleanup_IsNotActivity_ReleaseStillAtTheDeadline()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivity: TimeSpan.FromMinutes(10), oauthCleanup: TimeSpan.FromMinutes(1));
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        await AuthorizeCodeAsync(gateway, org.Member, container, NewPkce().Challenge);
        var lastActivity = gateway.Time.GetUtcNow();
        Assert.Equal(1, EntryCount(gateway));

        await gateway.JumpAsync(TimeSpan.FromMinutes(6)); // the code expired at 5 min: this cleanup removes it, then autosave pushes

        Assert.Equal(0, EntryCount(gateway));
        Assert.Equal(lastActivity + TimeSpan.FromMinutes(10), (await gateway.ActivityAsync()).GetProperty("release_at").GetDateTimeOffset());
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.Stop));

        await gateway.JumpAsync(TimeSpan.FromMinutes(4));

        var stop = Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.Stop));
        Assert.Equal(lastActivity + TimeSpan.FromMinutes(10), stop.At);
        var pushed = gateway.ControlPlane.Calls(GatewayPaths.DataPush).Select(c => c.Body.GetProperty("data").GetProperty("gateway_state").GetProperty("oauth").GetProperty("codes").GetArrayLength()).ToList();
        Assert.Equal(0, pushed[^1]);
    }

    private static int EntryCount(GatewayHarness gateway) =>
        gateway.Worker.TryWithSession((session, _) => session.Managers.OAuth.EntryCount, out var count) ? count : throw new InvalidOperationException("not serving");
}
