namespace Demiurge.Gateways;

/// <summary>
/// How a push ended. <see cref="Version"/> is the new version when stored, the current one when
/// stale. <see cref="UnknownProjectIds"/> goes with <see cref="PushOutcome.UnknownProjects"/>;
/// <see cref="QuotaBytes"/> and <see cref="UsedBytes"/> (stored now) with <see cref="PushOutcome.QuotaExceeded"/>.
/// </summary>
internal sealed record DataPushResult(PushOutcome Outcome, long Version)
{
    public IReadOnlyList<string> UnknownProjectIds { get; init; } = [];

    public long QuotaBytes { get; init; }

    public long UsedBytes { get; init; }
}
