namespace Demiurge.Coordination;

/// <summary>
/// Which control plane leads. Exactly one leader runs the pool manager and the reconcilers;
/// every instance serves the API whether it leads or not.
/// </summary>
internal interface ILeadership
{
    /// <summary>Whether this instance leads right now.</summary>
    bool IsLeader { get; }

    /// <summary>
    /// Completes once this instance leads, with a token that is cancelled the moment it stops
    /// leading. Work that only the leader may do runs under that token.
    /// </summary>
    Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken);
}
