using System.Collections.Concurrent;
using Demiurge.ApiKeys;
using Demiurge.Identity;
using Demiurge.Protocol;

namespace Demiurge.GatewayProcess.Users;

/// <summary>
/// Verifies Demiurge user tokens by asking the control plane who they belong to
/// (<c>GET /users/me</c> with the token). A verified token is remembered by its SHA-256 for
/// <see cref="CacheLifetime"/>, so a burst of requests costs one call; a token revoked on the
/// control plane therefore keeps working here for at most that long. Refusals are never cached.
/// </summary>
internal sealed partial class UserTokenVerifier(ControlPlaneClient controlPlane, TimeProvider time, ILogger<UserTokenVerifier> logger)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    /// <summary>Bound on the cache, so that many distinct tokens cannot grow it without end.</summary>
    public const int MaxCachedTokens = 10_000;

    private readonly ConcurrentDictionary<string, (UserIdentity User, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    /// <summary>Verifies the token in <paramref name="authorizationHeader"/>.</summary>
    public async Task<UserVerification> VerifyAsync(string? authorizationHeader, CancellationToken cancellationToken)
    {
        if (BearerHeader.Token(authorizationHeader) is not { } token)
        {
            return new(UserVerificationStatus.Missing, null, "This endpoint needs an 'Authorization: Bearer <user token>' header with a Demiurge user token.");
        }

        // /users/me would tell who a key acts as, not that it is limited to another organization
        // or to scopes the gateway cannot check: keys are for the control plane's API only.
        if (token.StartsWith(ApiKeyTokens.Prefix, StringComparison.Ordinal))
        {
            return new(UserVerificationStatus.Invalid, null, "API keys are for the control plane's API; the gateway takes user tokens.");
        }

        var hash = SecretTokens.Hash(token);
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(hash, out var cached) && now < cached.Until)
        {
            return new(UserVerificationStatus.Verified, cached.User, "verified (cached)");
        }

        var answer = await controlPlane.MeAsync(token, cancellationToken);
        switch (answer.Status)
        {
            case ControlPlaneStatus.Success when !string.IsNullOrEmpty(answer.Value!.UserId):
                Remember(hash, answer.Value, time.GetUtcNow());
                return new(UserVerificationStatus.Verified, answer.Value, "verified");
            case ControlPlaneStatus.Unauthorized:
                _cache.TryRemove(hash, out _);
                return new(UserVerificationStatus.Invalid, null, "The bearer token is not a valid Demiurge user token.");
            default:
                LogVerificationFailed(logger, answer.Describe());
                return new(UserVerificationStatus.Unavailable, null, "The control plane could not verify the user token; try again shortly.");
        }
    }

    /// <summary>Forgets every verified token (at release: nothing of an organization's users outlives it).</summary>
    public void Clear() => _cache.Clear();

    private void Remember(string hash, UserIdentity user, DateTimeOffset now)
    {
        if (_cache.Count >= MaxCachedTokens)
        {
            foreach (var (key, entry) in _cache)
            {
                if (now >= entry.Until)
                {
                    _cache.TryRemove(key, out _);
                }
            }

            if (_cache.Count >= MaxCachedTokens)
            {
                return; // still full of live entries: verify this one again next time
            }
        }

        _cache[hash] = (user, now + CacheLifetime);
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Could not verify a user token with the control plane: {Detail}")]
    private static partial void LogVerificationFailed(ILogger logger, string detail);
}
