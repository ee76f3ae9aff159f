namespace Demiurge.GatewayProcess.OAuth;

/// <summary>The error codes of RFC 6749 (sections 4.1.2.1 and 5.2) this provider answers with.</summary>
internal static class OAuthErrors
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string AccessDenied = "access_denied";
    public const string UnsupportedResponseType = "unsupported_response_type";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string TemporarilyUnavailable = "temporarily_unavailable";
}
