namespace Demiurge.GatewayProcess;

/// <summary>One push of a worker's unsaved data: some documents, and the gateway state when <see cref="WithGatewayState"/>.</summary>
internal sealed record PushBatch(IReadOnlyList<UnsavedDocument> Documents, bool WithGatewayState)
{
    /// <summary>The same data, one piece per push: each document alone, and the gateway state alone.</summary>
    public IEnumerable<PushBatch> Pieces() =>
        (WithGatewayState ? [new PushBatch([], true)] : Enumerable.Empty<PushBatch>())
            .Concat(Documents.Select(document => new PushBatch([document], false)));

    public int PieceCount => Documents.Count + (WithGatewayState ? 1 : 0);
}
