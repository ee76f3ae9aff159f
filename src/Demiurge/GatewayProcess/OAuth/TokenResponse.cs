namespace Demiurge.GatewayProcess.OAuth;

/// <summary>Answer of <c>POST /oauth/token</c> (RFC 6749, section 5.1). The tokens are shown here once and kept only hashed.</summary>
internal sealed record TokenResponse(string AccessToken, string TokenType, long ExpiresIn, string RefreshToken)
{
    /// <summary>The tokens are secrets; keep them out of logs.</summary>
    public override string ToString() => $"{TokenType} token expiring in {ExpiresIn} s";
}
