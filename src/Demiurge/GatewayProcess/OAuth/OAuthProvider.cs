using Demiurge.GatewayProcess.Permissions;

namespace Demiurge.GatewayProcess.OAuth;

/// <summary>
/// The organization's OAuth 2 provider for its user containers: public clients, authorization
/// codes bound to a PKCE challenge, access and refresh tokens with rotation, and introspection.
/// Codes and tokens are kept only as SHA-256 hashes with their expiry.
/// </summary>
/// <remarks>
/// Not thread-safe: the worker calls it under its lock. <see cref="Revision"/> moves on every
/// change, so the worker knows the organization's data needs a push.
/// </remarks>
internal sealed class OAuthProvider
{
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromHours(1);
    public static readonly TimeSpan RefreshTokenLifetime = TimeSpan.FromDays(90);

    public const string TokenType = "Bearer";

    private readonly PermissionManager _permissions;
    private readonly Dictionary<string, OAuthClient> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AuthorizationCode> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedToken> _accessTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedToken> _refreshTokens = new(StringComparer.Ordinal);

    /// <summary>
    /// Restores the provider from <paramref name="state"/>, leaving out what can never be used
    /// again: expired entries, those of clients that are gone, and those of users the config no
    /// longer lists. <paramref name="dropped"/> counts them.
    /// </summary>
    public OAuthProvider(PermissionManager permissions, OAuthState? state, DateTimeOffset now, out int dropped)
    {
        ArgumentNullException.ThrowIfNull(permissions);
        _permissions = permissions;
        dropped = 0;
        foreach (var client in state?.Clients ?? [])
        {
            _clients[client.ClientId] = client;
        }

        foreach (var code in state?.Codes ?? [])
        {
            if (Keeps(code.ClientId, code.UserId, code.ExpiresAt, now))
            {
                _codes[code.CodeHash] = code;
            }
            else
            {
                dropped++;
            }
        }

        foreach (var (tokens, into) in (ReadOnlySpan<(IReadOnlyList<IssuedToken>?, Dictionary<string, IssuedToken>)>)[(state?.AccessTokens, _accessTokens), (state?.RefreshTokens, _refreshTokens)])
        {
            foreach (var token in tokens ?? [])
            {
                if (Keeps(token.ClientId, token.UserId, token.ExpiresAt, now))
                {
                    into[token.TokenHash] = token;
                }
                else
                {
                    dropped++;
                }
            }
        }
    }

    public long Revision { get; private set; }

    public int ClientCount => _clients.Count;

    /// <summary>Codes (used ones included, until they expire), access tokens and refresh tokens held.</summary>
    public int EntryCount => _codes.Count + _accessTokens.Count + _refreshTokens.Count;

    public OAuthClient? Client(string clientId) => _clients.GetValueOrDefault(clientId);

    /// <summary>Registers a container's client; its id is new and public, it has no secret.</summary>
    public OAuthClient AddClient(string containerId, IReadOnlyList<string> redirectUris, string createdBy, DateTimeOffset now)
    {
        var client = new OAuthClient(Ids.New(), containerId, [.. redirectUris], createdBy, now);
        _clients[client.ClientId] = client;
        Revision++;
        return client;
    }

    /// <summary>Removes the client and revokes every code and token issued to it; returns how many.</summary>
    public int RemoveClient(string clientId)
    {
        if (!_clients.Remove(clientId))
        {
            return 0;
        }

        var revoked = RemoveWhere(_codes, c => c.ClientId == clientId)
            + RemoveWhere(_accessTokens, t => t.ClientId == clientId)
            + RemoveWhere(_refreshTokens, t => t.ClientId == clientId);
        Revision++;
        return revoked;
    }

    /// <summary>
    /// A new authorization code for a member, bound to the redirect URI and the PKCE challenge;
    /// null when the client is gone, the redirect URI is not one of its own, or the user is not a member.
    /// </summary>
    public string? IssueCode(string clientId, string userId, string redirectUri, string codeChallenge, DateTimeOffset now)
    {
        if (Client(clientId) is not { } client || !client.RedirectUris.Contains(redirectUri, StringComparer.Ordinal)
            || !_permissions.CanAuthorize(userId) || !Pkce.IsChallenge(codeChallenge))
        {
            return null;
        }

        var code = SecretTokens.New(SecretTokens.CodePrefix);
        var hash = SecretTokens.Hash(code);
        _codes[hash] = new AuthorizationCode(hash, clientId, userId, Ids.New(), redirectUri, codeChallenge, now + CodeLifetime);
        Revision++;
        return code;
    }

    /// <summary>The authorization-code grant (RFC 6749, section 4.1.3, with RFC 7636's verifier).</summary>
    public OAuthTokenResult RedeemCode(string clientId, string code, string redirectUri, string codeVerifier, DateTimeOffset now)
    {
        if (Client(clientId) is null)
        {
            return OAuthTokenResult.Failed(OAuthErrors.InvalidClient, $"The client '{clientId}' is not registered with this organization.");
        }

        var hash = SecretTokens.Hash(code);
        if (!_codes.TryGetValue(hash, out var stored) || stored.ClientId != clientId)
        {
            return OAuthTokenResult.Failed(OAuthErrors.InvalidGrant, "The authorization code is not valid for this client.");
        }

        if (stored.Used)
        {
            // A code presented twice may have been stolen: whoever redeemed it first loses the tokens too.
            return OAuthTokenResult.Failed(OAuthErrors.InvalidGrant,
                $"The authorization code was already used; the {RevokeGrant(stored.GrantId)} token(s) issued from it are revoked.");
        }

        if (now >= stored.ExpiresAt)
        {
            return OAuthTokenResult.Failed(OAuthErrors.InvalidGrant, "The authorization code has expired.");
        }

        if (stored.RedirectUri != redirectUri)
        {
            return OAuthTokenResult.Failed(OAuthErrors.InvalidGrant, "The redirect_uri is not the one the authorization code was issued for.");
        }

        if (!Pkce.Matches(codeVerifier, stored.CodeChallenge))
        {
            return OAuthTokenResult.Failed(OAuthErrors.InvalidGrant, "The code_verifier does not match the code_challenge.");
        }

        if (!_permissions.CanAuthorize(stored.UserId))
        {
            return OAuthTokenResult.Failed(OAuthErrors.InvalidGrant, "The user is no longer a member of the organization.");
        }

        _codes[hash] = stored with { Used = true };
        return OAuthTokenResult.Issued(IssueTokens(clientId, stored.UserId, stored.GrantId, now));
    }

    /// <summary>The refresh-token grant (RFC 6749, section 6), with rotation: the presented token is revoked.</summary>
    public OAuthTokenResult Refresh(string clientId, string refreshToken, DateTimeOffset now)
    {
        if (Client(clientId) is null)
        {
            return OAuthTokenResult.Failed(OAuthErrors.InvalidClient, $"The client '{clientId}' is not registered with this organization.");
        }

        var hash = SecretTokens.Hash(refreshToken);
        if (!_refreshTokens.TryGetValue(hash, out var stored) || stored.ClientId != clientId || now >= stored.ExpiresAt)
        {
            return OAuthTokenResult.Failed(OAuthErrors.InvalidGrant, "The refresh token is not valid for this client: unknown or expired.");
        }

        if (stored.Used)
        {
            // A rotated refresh token presented again may have been stolen (RFC 9700, 4.14.2):
            // the whole grant goes, so neither the thief nor the client keeps a working token.
            return OAuthTokenResult.Failed(OAuthErrors.InvalidGrant,
                $"The refresh token was already used; the {RevokeGrant(stored.GrantId)} token(s) of its grant are revoked.");
        }

        if (!_permissions.CanAuthorize(stored.UserId))
        {
            return OAuthTokenResult.Failed(OAuthErrors.InvalidGrant, "The user is no longer a member of the organization.");
        }

        // Kept, marked used, until it expires: a second presentation is then recognized as reuse.
        _refreshTokens[hash] = stored with { Used = true };
        return OAuthTokenResult.Issued(IssueTokens(clientId, stored.UserId, stored.GrantId, now));
    }

    /// <summary>
    /// Introspection for the client <paramref name="callerClientId"/>: a token issued to another
    /// client is inactive to it, so a container can never accept a token meant for another one.
    /// </summary>
    public IntrospectionResponse Introspect(string token, string callerClientId, DateTimeOffset now)
    {
        if (token.Length > SecretTokens.MaxLength
            || !_accessTokens.TryGetValue(SecretTokens.Hash(token), out var stored)
            || now >= stored.ExpiresAt
            || stored.ClientId != callerClientId
            || _permissions.Member(stored.UserId) is not { } member)
        {
            return IntrospectionResponse.Inactive;
        }

        return new IntrospectionResponse(true, member.UserId, member.Username, stored.ClientId, stored.ExpiresAt.ToUnixTimeSeconds());
    }

    /// <summary>Forgets expired codes (used or not) and tokens; returns how many.</summary>
    public int RemoveExpired(DateTimeOffset now)
    {
        var removed = RemoveWhere(_codes, c => now >= c.ExpiresAt)
            + RemoveWhere(_accessTokens, t => now >= t.ExpiresAt)
            + RemoveWhere(_refreshTokens, t => now >= t.ExpiresAt);
        if (removed > 0)
        {
            Revision++;
        }

        return removed;
    }

    public OAuthState Export() => new([.. _clients.Values], [.. _codes.Values], [.. _accessTokens.Values], [.. _refreshTokens.Values]);

    private TokenResponse IssueTokens(string clientId, string userId, string grantId, DateTimeOffset now)
    {
        var access = SecretTokens.New(SecretTokens.AccessPrefix);
        var refresh = SecretTokens.New(SecretTokens.RefreshPrefix);
        _accessTokens[SecretTokens.Hash(access)] = new IssuedToken(SecretTokens.Hash(access), clientId, userId, grantId, now + AccessTokenLifetime);
        _refreshTokens[SecretTokens.Hash(refresh)] = new IssuedToken(SecretTokens.Hash(refresh), clientId, userId, grantId, now + RefreshTokenLifetime);
        Revision++;
        return new TokenResponse(access, TokenType, (long)AccessTokenLifetime.TotalSeconds, refresh);
    }

    private bool Keeps(string clientId, string userId, DateTimeOffset expiresAt, DateTimeOffset now) =>
        now < expiresAt && _clients.ContainsKey(clientId) && _permissions.IsMember(userId);

    /// <summary>Revokes every access and refresh token of a grant: one of its codes or refresh tokens came back a second time. Returns how many.</summary>
    private int RevokeGrant(string grantId)
    {
        var revoked = RemoveWhere(_accessTokens, t => t.GrantId == grantId) + RemoveWhere(_refreshTokens, t => t.GrantId == grantId);
        Revision++;
        return revoked;
    }

    private static int RemoveWhere<T>(Dictionary<string, T> entries, Func<T, bool> predicate)
    {
        var doomed = entries.Where(e => predicate(e.Value)).Select(e => e.Key).ToList();
        foreach (var key in doomed)
        {
            entries.Remove(key);
        }

        return doomed.Count;
    }
}
