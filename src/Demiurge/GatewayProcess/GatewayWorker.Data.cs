using System.Text.Json;
using Demiurge.Protocol;

namespace Demiurge.GatewayProcess;

/// <summary>
/// The organization's data on the control plane: the handshake's pull, the pushes (autosave,
/// final, shutdown) in batches that fit its limit, and the release. Every exchange here runs
/// under <see cref="_writer"/>.
/// </summary>
internal sealed partial class GatewayWorker
{
    private async Task<StartResult> HandshakeAsync(string handshakeToken, string hash)
    {
        var started = _time.GetTimestamp();
        StartResult result;
        try
        {
            await _writer.WaitAsync(_shutdown.Token);
            try
            {
                result = await RedeemAndPullAsync(handshakeToken, hash);
            }
            finally
            {
                _writer.Release();
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            result = StartResult.Unavailable("The gateway is shutting down.");
        }
#pragma warning disable CA1031 // A bug must not leave the worker stuck in handshaking: log it, answer, and go back to idle.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.HandshakeCrashed(_logger, exception, _options.GatewayId);
            result = StartResult.Failed("The gateway failed while handling the handshake; see its log.");
        }

        if (result.Outcome == StartOutcome.Started)
        {
            var elapsed = _time.GetElapsedTime(started);
            Log.Serving(_logger, _options.GatewayId, result.OrganizationId!, result.AllocationId!, elapsed.TotalMilliseconds);
            return result;
        }

        Log.HandshakeFailed(_logger, _options.GatewayId, result.Detail);
        lock (_lock)
        {
            if (_handshakeTokenHash == hash)
            {
                _state = GatewayWorkerState.Idle;
                _handshakeTokenHash = null;
                _handshake = null;
                _allocation = null;
                _session = null;
            }
        }

        // Idle and healthy: back in the pool. If the control plane decided otherwise while
        // undoing its saga, it answers 409 and the announcement stops.
        AnnounceReady();
        return result;
    }

    private async Task<StartResult> RedeemAndPullAsync(string handshakeToken, string hash)
    {
        var answer = await _controlPlane.ConfigAsync(handshakeToken, _shutdown.Token);
        if (!answer.Succeeded)
        {
            return StartResult.Failed($"The control plane refused the handshake ({GatewayPaths.Config} answered {answer.Describe()}).");
        }

        var config = answer.Value!;
        if (ControlPlaneAnswers.ConfigAnswerError(config, _options.GatewayId) is { } configError)
        {
            return StartResult.Failed($"The control plane's {GatewayPaths.Config} answer is unusable: {configError}");
        }

        var allocation = ToAllocation(config, hash);
        var pull = await _controlPlane.PullAsync(allocation.AllocationToken, allocation.OrganizationId, _shutdown.Token);
        if (!pull.Succeeded)
        {
            return StartResult.Failed($"The control plane refused to hand over organization {allocation.OrganizationId}'s data ({GatewayPaths.DataPull} answered {pull.Describe()}).");
        }

        if (ControlPlaneAnswers.PullError(pull.Value!, allocation.OrganizationId) is { } pullError)
        {
            return StartResult.Failed($"The control plane's {GatewayPaths.DataPull} answer is unusable: {pullError}");
        }

        var data = pull.Value!.Data;
        if (!GatewayStateJson.TryRead(data?.GatewayState, out var stored, out var stateError))
        {
            return StartResult.Failed($"The organization's gateway_state cannot be restored: {stateError}");
        }

        var served = ServedConfig.From(config);
        int dropped;
        lock (_lock)
        {
            if (_handshakeTokenHash != hash || _shutdown.IsCancellationRequested)
            {
                return StartResult.Unavailable("The gateway is shutting down.");
            }

            var now = _time.GetUtcNow();
            var managers = OrganizationManagers.Restore(served.Members, allocation.GatewayHostname, stored, now, out dropped);
            _allocation = allocation;
            _session = new OrganizationSession(served, data?.YjsState ?? new Dictionary<string, string>(), managers, managersUnsaved: dropped > 0,
                data?.GatewayState?.GetRawText().Length ?? 0, pull.Value.Version, now, allocation.AutosaveInterval, _options.OAuthCleanupInterval);
            _state = GatewayWorkerState.Serving;
        }

        if (dropped > 0)
        {
            Log.RestoreDropped(_logger, _options.GatewayId, allocation.OrganizationId, dropped);
        }

        return StartResult.Started(allocation.AllocationId, allocation.OrganizationId);
    }

    /// <summary>The organization's own durations win over this worker's flags: absent keeps the flag, null disables.</summary>
    private GatewayAllocation ToAllocation(GatewayConfigResponse config, string hash)
    {
        var inactivity = !config.HasInactivityTimeout ? _options.InactivityTimeout
            : config.InactivityTimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds)
            : null;
        var autosave = config.AutosaveIntervalSeconds is { } autosaveSeconds ? TimeSpan.FromSeconds(autosaveSeconds) : _options.AutosaveInterval;
        return new GatewayAllocation(config.AllocationId, config.OrganizationId!, config.GatewayHostname, config.AllocationToken, hash, inactivity, autosave);
    }

    /// <summary>
    /// Final push, stop, idle, ready (the caller holds <see cref="_writer"/>). When the data
    /// cannot be saved or the stop fails, the organization stays served and the release is tried
    /// again after <see cref="GatewayProcessOptions.ReleaseRetryDelay"/>: nothing is dropped unsaved.
    /// </summary>
    private async Task<bool> ReleaseAsync(string reason)
    {
        if (BeginReleasing() is not { } allocation)
        {
            return false;
        }

        Log.Releasing(_logger, _options.GatewayId, allocation.OrganizationId, allocation.AllocationId, reason);
        switch (await PushAsync("final", CancellationToken.None))
        {
            case ControlPlaneStatus.Unauthorized:
                return true; // revoked: already dropped and announced
            case ControlPlaneStatus.Conflict:
                // Another writer saved a newer version: these changes can never be saved as they
                // are, and waiting would hold the gateway forever. (What the control plane refuses
                // for good was dropped by the push itself, and the rest saved.)
                Log.UnsavedDropped(_logger, _options.GatewayId, allocation.OrganizationId, allocation.AllocationId);
                break;
            case ControlPlaneStatus.Refused or ControlPlaneStatus.Unreachable:
                PostponeRelease(allocation);
                return false;
        }

        var stop = await _controlPlane.StopAsync(allocation.AllocationToken, allocation.OrganizationId, CancellationToken.None);
        if (stop.Status is not (ControlPlaneStatus.Success or ControlPlaneStatus.Unauthorized))
        {
            Log.StopFailed(_logger, _options.GatewayId, allocation.OrganizationId, stop.Describe());
            PostponeRelease(allocation);
            return false;
        }

        Drop(allocation);
        Log.Released(_logger, _options.GatewayId, allocation.OrganizationId, allocation.AllocationId);
        AnnounceReady();
        return true;
    }

    private void PostponeRelease(GatewayAllocation allocation)
    {
        lock (_lock)
        {
            if (_allocation == allocation && _state == GatewayWorkerState.Releasing)
            {
                _state = GatewayWorkerState.Serving;
                _session!.ReleaseNotBefore = _time.GetUtcNow() + _options.ReleaseRetryDelay;
                _session.Reopen();
            }
        }
    }

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
        OrganizationSession session;
        lock (_lock)
        {
            if (_session is null || _allocation is null)
            {
                return ControlPlaneStatus.Success;
            }

            (allocation, session) = (_allocation, _session);
        }

        // Each document and the managers are copied under their own locks: traffic goes on meanwhile.
        var documents = session.UnsavedDocuments();
        // Sent whole with the first push while the managers have changes; absent keeps the stored one.
        var gatewayState = session.ManagersUnsaved ? session.ExportGatewayState() : ((JsonElement State, long Revision)?)null;
        if (documents.Count == 0 && gatewayState is null)
        {
            return ControlPlaneStatus.Success;
        }

        var (batches, tooLarge) = PushPlan.Create(documents, gatewayState?.State, DataPushRequest.MaxBytes);
        foreach (var document in tooLarge)
        {
            DropUnsaved(allocation, session, new PushBatch([document], false), gatewayState?.Revision ?? 0,
                $"alone it is larger than a push may be ({DataPushRequest.MaxBytes} bytes)");
        }

        foreach (var batch in batches)
        {
            var status = await PushBatchAsync(allocation, session, batch, gatewayState, reason, cancellationToken);
            if (status == ControlPlaneStatus.Rejected && batch.PieceCount > 1)
            {
                // Refused for good as a whole: push each piece alone, so that only what is refused
                // alone is dropped.
                foreach (var piece in batch.Pieces())
                {
                    status = await PushBatchAsync(allocation, session, piece, gatewayState, reason, cancellationToken);
                    if (status is not (ControlPlaneStatus.Success or ControlPlaneStatus.Rejected))
                    {
                        return status;
                    }
                }
            }
            else if (status is not (ControlPlaneStatus.Success or ControlPlaneStatus.Rejected))
            {
                return status;
            }
        }

        return ControlPlaneStatus.Success;
    }

    /// <summary>One push. A batch refused for good (<see cref="ControlPlaneStatus.Rejected"/>) is dropped when it is a single piece.</summary>
    private async Task<ControlPlaneStatus> PushBatchAsync(
        GatewayAllocation allocation, OrganizationSession session, PushBatch batch, (JsonElement State, long Revision)? gatewayState, string reason,
        CancellationToken cancellationToken, bool retried = false)
    {
        if (!IsServed(allocation))
        {
            return ControlPlaneStatus.Unauthorized; // dropped meanwhile: nothing of it is ours to push
        }

        var body = new DataPushRequest
        {
            OrganizationId = allocation.OrganizationId,
            Version = session.Version,
            Data = new OrganizationDataPayload
            {
                YjsState = batch.Documents.Where(d => d.Content is not null).ToDictionary(d => d.ProjectId, d => d.Content!, StringComparer.Ordinal),
                YjsUpdates = batch.Documents.Any(d => d.Update is not null)
                    ? batch.Documents.Where(d => d.Update is not null).ToDictionary(d => d.ProjectId, d => d.Update!, StringComparer.Ordinal)
                    : null,
                GatewayState = batch.WithGatewayState ? gatewayState!.Value.State : null,
            },
        };
        var result = await _controlPlane.PushAsync(allocation.AllocationToken, body, cancellationToken);
        switch (result.Status)
        {
            case ControlPlaneStatus.Success:
                session.MarkPushed(batch.Documents,
                    batch.WithGatewayState ? (gatewayState!.Value.Revision, gatewayState.Value.State.GetRawText().Length) : null,
                    result.Value!.Version, _time.GetUtcNow());
                Log.Pushed(_logger, _options.GatewayId, allocation.OrganizationId, reason, batch.Documents.Count, body.Version!.Value, result.Value.Version);
                return ControlPlaneStatus.Success;
            case ControlPlaneStatus.Unauthorized:
                Log.Revoked(_logger, _options.GatewayId, allocation.OrganizationId, allocation.AllocationId, result.Describe());
                Drop(allocation);
                AnnounceReady();
                return ControlPlaneStatus.Unauthorized;
            case ControlPlaneStatus.Conflict when !retried && result.CurrentVersion is { } current && current > body.Version:
                // Fencing admits only this allocation's token since its pull, so a newer version is
                // one of our own pushes whose answer was lost: take its version and push again.
                session.AdoptVersion(current);
                Log.VersionAdopted(_logger, _options.GatewayId, allocation.OrganizationId, body.Version!.Value, current);
                return await PushBatchAsync(allocation, session, batch, gatewayState, reason, cancellationToken, retried: true);
            case ControlPlaneStatus.Refused when result.HttpStatus is 400 or 413 or 415 or 422:
                if (batch.PieceCount == 1)
                {
                    DropUnsaved(allocation, session, batch, gatewayState?.Revision ?? 0, $"the control plane refused it for good ({result.Describe()})");
                }
                else
                {
                    Log.PushRejected(_logger, _options.GatewayId, allocation.OrganizationId, reason, batch.PieceCount, result.Describe());
                }

                return ControlPlaneStatus.Rejected;
            case ControlPlaneStatus.Conflict:
                Log.PushStale(_logger, _options.GatewayId, allocation.OrganizationId, reason, body.Version!.Value, result.Describe());
                return ControlPlaneStatus.Conflict;
            default:
                Log.PushFailed(_logger, _options.GatewayId, allocation.OrganizationId, reason, result.Describe());
                return result.Status;
        }
    }

    /// <summary>Gives up saving a piece that can never be saved, so that it no longer holds back the rest or the release.</summary>
    private void DropUnsaved(GatewayAllocation allocation, OrganizationSession session, PushBatch piece, long gatewayStateRevision, string why)
    {
        foreach (var document in piece.Documents)
        {
            session.Discard(document);
            Log.DocumentDropped(_logger, _options.GatewayId, allocation.OrganizationId, document.ProjectId, document.Length, why);
        }

        if (piece.WithGatewayState)
        {
            session.DiscardGatewayState(gatewayStateRevision);
            Log.GatewayStateDropped(_logger, _options.GatewayId, allocation.OrganizationId, why);
        }
    }

    private bool IsServed(GatewayAllocation allocation)
    {
        lock (_lock)
        {
            return _allocation == allocation;
        }
    }
}
