namespace Demiurge.GatewayProcess.OAuth;

/// <summary>What a grant at <c>/oauth/token</c> ended in: new tokens, or an RFC 6749 error code and why.</summary>
internal sealed record OAuthTokenResult(TokenResponse? Tokens, string? Error, string Description)
{
    public static OAuthTokenResult Issued(TokenResponse tokens) => new(tokens, null, "issued");

    public static OAuthTokenResult Failed(string error, string description) => new(null, error, description);
}
