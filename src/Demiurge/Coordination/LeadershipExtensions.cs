namespace Demiurge.Coordination;

internal static class LeadershipExtensions
{
    /// <summary>
    /// Runs <paramref name="lead"/> for every term this instance leads, until
    /// <paramref name="stoppingToken"/> fires. Its token is cancelled the moment the term ends:
    /// work that only the leader may do stops when this instance stops leading.
    /// </summary>
    public static async Task RunTermsAsync(this ILeadership leadership, Func<CancellationToken, Task> lead, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            CancellationToken term;
            try
            {
                term = await leadership.WaitForLeadershipAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, term);
            await lead(leading.Token);
        }
    }
}
