namespace Demiurge.GatewayProcess;

/// <summary>A member of the organization, as <c>/gateway/config</c> lists them.</summary>
internal sealed record MemberAnswer(string UserId, string Username, string Role);
