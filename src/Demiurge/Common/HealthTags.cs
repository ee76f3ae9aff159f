namespace Demiurge.Common;

/// <summary>Tags of the health checks the parts register.</summary>
internal static class HealthTags
{
    /// <summary>Checks that must pass before a role takes traffic (<c>/readyz</c>).</summary>
    public const string Ready = "ready";
}
