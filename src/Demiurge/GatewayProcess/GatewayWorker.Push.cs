using System.Text.Json;
using Demiurge.Gateways;

namespace Demiurge.GatewayProcess;

/// <summary>Saving: what is unsaved goes to the control plane in pushes that fit its limit.</summary>
internal sealed partial class GatewayWorker
{
    /// <summary>
    /// Pushes what is unsaved (the caller holds <see cref="_writer"/>) in batches under
    /// <see cref="DataPushRequest.MaxBytes"/>, each advancing the version; the gateway state goes
    /// in the first. What the control plane refuses for good (a document alone over the limit,
    /// an unknown project, the quota) is dropped with an error, and the rest is saved: no piece
    /// that can never be saved holds back the others, nor the release. A 401 drops the
    /// organization and announces ready; a 409, or a failure to reach the control plane, stops
    /// there and keeps what is left unsaved for the next push.
    /// </summary>
    private async Task<ControlPlaneStatus> PushAsync(string reason, CancellationToken cancellationToken)
    {
        GatewayAllocation allocation;
        List<UnsavedDocument> documents;
        (JsonElement State, long Revision)? gatewayState;
        lock (_lock)
        {
            if (_session is null || _allocation is null || !_session.Dirty)
            {
                return ControlPlaneStatus.Success;
            }

            allocation = _allocation;
            documents = _session.UnsavedDocuments();
            // Sent whole with the first push while the managers have changes; absent keeps the stored one.
            gatewayState = _session.ManagersUnsaved ? _session.ExportGatewayState() : null;
        }

        var (batches, tooLarge) = PushPlan.Create(documents, gatewayState?.State, DataPushRequest.MaxBytes);
        foreach (var document in tooLarge)
        {
            DropUnsaved(allocation, new PushBatch([document], false), gatewayState?.Revision ?? 0,
                $"alone it is larger than a push may be ({DataPushRequest.MaxBytes} bytes)");
        }

        foreach (var batch in batches)
        {
            var status = await PushBatchAsync(allocation, batch, gatewayState, reason, cancellationToken);
            if (status == ControlPlaneStatus.Rejected && batch.PieceCount > 1)
            {
                // Refused for good as a whole: push each piece alone, so that only what is refused
                // alone is dropped.
                foreach (var piece in batch.Pieces())
                {
                    status = await PushBatchAsync(allocation, piece, gatewayState, reason, cancellationToken);
                    if (status is not (ControlPlaneStatus.Success or ControlPlaneStatus.Rejected))
                    {
                        return status;
                    }
                }
            }
            else if (status != ControlPlaneStatus.Success && status != ControlPlaneStatus.Rejected)
            {
                return status;
            }
        }

        return ControlPlaneStatus.Success;
    }

    /// <summary>One push. A batch refused for good (<see cref="ControlPlaneStatus.Rejected"/>) is dropped when it is a single piece.</summary>
    private async Task<ControlPlaneStatus> PushBatchAsync(
        GatewayAllocation allocation, PushBatch batch, (JsonElement State, long Revision)? gatewayState, string reason, CancellationToken cancellationToken, bool retried = false)
    {
        PushBody body;
        lock (_lock)
        {
            if (_allocation != allocation)
            {
                return ControlPlaneStatus.Unauthorized; // dropped meanwhile: nothing of it is ours to push
            }

            body = new PushBody(allocation.OrganizationId, _session!.Version, new DataPayload(
                batch.Documents.ToDictionary(d => d.ProjectId, d => d.Content, StringComparer.Ordinal), batch.WithGatewayState ? gatewayState!.Value.State : null));
        }

        var result = await _controlPlane.PushAsync(allocation.AllocationToken, body, cancellationToken);
        switch (result.Status)
        {
            case ControlPlaneStatus.Success:
                lock (_lock)
                {
                    if (_allocation == allocation)
                    {
                        _session!.MarkPushed(batch.Documents,
                            batch.WithGatewayState ? (gatewayState!.Value.Revision, gatewayState.Value.State.GetRawText().Length) : null,
                            result.Value!.Version, _time.GetUtcNow());
                    }
                }

                LogPushed(_logger, _options.GatewayId, allocation.OrganizationId, reason, batch.Documents.Count, body.Version, result.Value!.Version);
                return ControlPlaneStatus.Success;
            case ControlPlaneStatus.Unauthorized:
                LogRevoked(_logger, _options.GatewayId, allocation.OrganizationId, allocation.AllocationId, result.Describe());
                Drop(allocation);
                AnnounceReady();
                return ControlPlaneStatus.Unauthorized;
            case ControlPlaneStatus.Conflict when !retried && result.CurrentVersion is { } current && current > body.Version:
                // Fencing admits only this allocation's token since its pull, so a newer version is
                // one of our own pushes whose answer was lost: take its version and push again.
                lock (_lock)
                {
                    if (_allocation != allocation)
                    {
                        return result.Status;
                    }

                    _session!.AdoptVersion(current);
                }

                LogVersionAdopted(_logger, _options.GatewayId, allocation.OrganizationId, body.Version, current);
                return await PushBatchAsync(allocation, batch, gatewayState, reason, cancellationToken, retried: true);
            case ControlPlaneStatus.Refused when result.HttpStatus is 400 or 413 or 415 or 422:
                if (batch.PieceCount == 1)
                {
                    DropUnsaved(allocation, batch, gatewayState?.Revision ?? 0, $"the control plane refused it for good ({result.Describe()})");
                }
                else
                {
                    LogPushRejected(_logger, _options.GatewayId, allocation.OrganizationId, reason, batch.PieceCount, result.Describe());
                }

                return ControlPlaneStatus.Rejected;
            case ControlPlaneStatus.Conflict:
                LogPushStale(_logger, _options.GatewayId, allocation.OrganizationId, reason, body.Version, result.Describe());
                return ControlPlaneStatus.Conflict;
            default:
                LogPushFailed(_logger, _options.GatewayId, allocation.OrganizationId, reason, result.Describe());
                return result.Status;
        }
    }

    /// <summary>Gives up saving a piece that can never be saved, so that it no longer holds back the rest or the release.</summary>
    private void DropUnsaved(GatewayAllocation allocation, PushBatch piece, long gatewayStateRevision, string why)
    {
        lock (_lock)
        {
            if (_allocation != allocation)
            {
                return;
            }

            foreach (var document in piece.Documents)
            {
                _session!.Discard(document);
            }

            if (piece.WithGatewayState)
            {
                _session!.DiscardGatewayState(gatewayStateRevision);
            }
        }

        foreach (var document in piece.Documents)
        {
            LogDocumentDropped(_logger, _options.GatewayId, allocation.OrganizationId, document.ProjectId, document.Content.Length, why);
        }

        if (piece.WithGatewayState)
        {
            LogGatewayStateDropped(_logger, _options.GatewayId, allocation.OrganizationId, why);
        }
    }

    [LoggerMessage(EventId = 4020, Level = LogLevel.Information, Message = "Gateway {GatewayId} pushed {Projects} project(s) of organization {OrganizationId} ({Reason}), version {FromVersion} → {ToVersion}")]
    private static partial void LogPushed(ILogger logger, string gatewayId, string organizationId, string reason, int projects, long fromVersion, long toVersion);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Warning, Message = "Gateway {GatewayId} push for organization {OrganizationId} ({Reason}) refused as stale at version {Version}; keeping the data unsaved: {Detail}")]
    private static partial void LogPushStale(ILogger logger, string gatewayId, string organizationId, string reason, long version, string detail);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Warning, Message = "Gateway {GatewayId} push for organization {OrganizationId} ({Reason}) failed; will retry: {Detail}")]
    private static partial void LogPushFailed(ILogger logger, string gatewayId, string organizationId, string reason, string detail);

    [LoggerMessage(EventId = 4028, Level = LogLevel.Warning, Message = "Gateway {GatewayId} push of {Pieces} piece(s) for organization {OrganizationId} ({Reason}) refused for good; pushing each alone: {Detail}")]
    private static partial void LogPushRejected(ILogger logger, string gatewayId, string organizationId, string reason, int pieces, string detail);

    [LoggerMessage(EventId = 4029, Level = LogLevel.Warning, Message = "Gateway {GatewayId} found organization {OrganizationId} at version {Current}, not {Held}: an earlier push landed unanswered; pushing again on top of it")]
    private static partial void LogVersionAdopted(ILogger logger, string gatewayId, string organizationId, long held, long current);

    [LoggerMessage(EventId = 4034, Level = LogLevel.Error, Message = "Gateway {GatewayId} drops the unsaved document of project {ProjectId} ({Bytes} bytes) of organization {OrganizationId}: it can never be saved, since {Reason}. The rest is saved")]
    private static partial void LogDocumentDropped(ILogger logger, string gatewayId, string organizationId, string projectId, long bytes, string reason);

    [LoggerMessage(EventId = 4035, Level = LogLevel.Error, Message = "Gateway {GatewayId} drops the unsaved gateway state of organization {OrganizationId}: it can never be saved, since {Reason}. The documents are saved")]
    private static partial void LogGatewayStateDropped(ILogger logger, string gatewayId, string organizationId, string reason);
}
