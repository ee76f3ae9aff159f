namespace Demiurge.GatewayProcess.OAuth;

/// <summary>What the authorization endpoint's step under the worker's lock decided: a code, or an RFC 6749 error.</summary>
internal sealed record AuthorizationResult(string? Code, string? Error, string Description)
{
    /// <summary>The code is a secret; keep it out of logs.</summary>
    public override string ToString() => Code is null ? $"{Error}: {Description}" : "code issued";
}
