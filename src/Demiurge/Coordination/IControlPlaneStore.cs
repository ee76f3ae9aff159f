namespace Demiurge.Coordination;

/// <summary>The control planes serving the API, each known by the URL workers use to reach it.</summary>
internal interface IControlPlaneStore
{
    /// <summary>
    /// Records that this instance serves at <paramref name="url"/> as of <paramref name="now"/>,
    /// and forgets instances not seen since <paramref name="forgetBefore"/>.
    /// </summary>
    Task ControlPlaneSeenAsync(Uri url, DateTimeOffset now, DateTimeOffset forgetBefore, CancellationToken cancellationToken);

    /// <summary>The URLs of the instances seen since <paramref name="seenSince"/>, this one included.</summary>
    Task<IReadOnlyList<Uri>> ControlPlaneListAsync(DateTimeOffset seenSince, CancellationToken cancellationToken);

    /// <summary>This instance stops serving.</summary>
    Task ControlPlaneRemoveAsync(CancellationToken cancellationToken);
}
