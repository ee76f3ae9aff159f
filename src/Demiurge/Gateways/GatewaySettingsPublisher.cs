using System.Collections.Concurrent;
using Demiurge.Organizations;
using Demiurge.Protocol;

namespace Demiurge.Gateways;

/// <summary>
/// Sends an organization's config (name, members, projects, storage quota) to the gateway serving it
/// (<see cref="GatewayPaths.CollabConfig"/>) when they change, so that a removed member or a new role holds
/// there at once rather than at the next allocation. Updates carry the store's settings revision
/// and the worker applies only a newer one, so they may arrive in any order. Delivery is retried
/// for a few seconds; after that the leader's pings find a worker behind and send again
/// (<see cref="CatchUpAsync"/>), so a lost update is late, never lost.
/// </summary>
internal sealed partial class GatewaySettingsPublisher(
    IOrganizationStore store, IGatewayStore gateways, WorkerClient workers, Microsoft.Extensions.Options.IOptions<GatewayOptions> options, TimeProvider time, ILogger<GatewaySettingsPublisher> logger)
{
    private static readonly TimeSpan[] s_retryDelays =
        [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    private static readonly TimeSpan s_callTimeout = TimeSpan.FromSeconds(5);

    // Organization → changes seen; one delivery loop per organization, which goes round again
    // while changes keep arriving.
    private readonly ConcurrentDictionary<string, long> _pending = new(StringComparer.Ordinal);

    /// <summary>The organization's settings changed (committed): deliver them in the background.</summary>
    public void Changed(string organizationId)
    {
        if (_pending.AddOrUpdate(organizationId, 1, (_, changes) => changes + 1) == 1)
        {
            _ = Task.Run(() => DeliverAsync(organizationId));
        }
    }

    /// <summary>From the leader's pings: the worker serving <paramref name="organizationId"/> holds <paramref name="held"/>; send a newer revision if there is one.</summary>
    public async Task CatchUpAsync(string organizationId, long held, CancellationToken cancellationToken)
    {
        if (await store.OrganizationSettingsRevisionAsync(organizationId, cancellationToken) is { } current && current > held)
        {
            LogBehind(logger, organizationId, held, current);
            Changed(organizationId);
        }
    }

    private async Task DeliverAsync(string organizationId)
    {
        try
        {
            while (true)
            {
                var seen = _pending[organizationId];
                await SendWithRetriesAsync(organizationId);
                if (_pending.TryRemove(KeyValuePair.Create(organizationId, seen)))
                {
                    return;
                }
            }
        }
#pragma warning disable CA1031 // Nobody awaits this loop: a bug in it must be logged, and the pings send again.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _pending.TryRemove(organizationId, out _);
            LogCrashed(logger, exception, organizationId);
        }
    }

    private async Task SendWithRetriesAsync(string organizationId)
    {
        var detail = "";
        foreach (var delay in s_retryDelays.Prepend(TimeSpan.Zero))
        {
            await Task.Delay(delay, time);
            detail = await SendAsync(organizationId);
            if (detail.Length == 0)
            {
                return;
            }
        }

        LogUndelivered(logger, organizationId, detail);
    }

    /// <summary>One delivery; empty when done (delivered, or no gateway serves the organization), else why it failed.</summary>
    private async Task<string> SendAsync(string organizationId)
    {
        if (await gateways.AllocationCurrentByOrganizationAsync(organizationId, CancellationToken.None) is not { } allocation)
        {
            return ""; // the next handshake reads the store
        }

        if (allocation.Step != AllocationStep.Active)
        {
            return $"allocation {allocation.AllocationId} is at step {allocation.Step}, not active yet";
        }

        if (await gateways.GatewayGetAsync(allocation.GatewayId, CancellationToken.None) is not { } gateway
            || await store.OrganizationSettingsGetAsync(organizationId, CancellationToken.None) is not { } settings)
        {
            return "";
        }

        var body = Config(settings, options.Value);
        try
        {
            using var timeout = new CancellationTokenSource(s_callTimeout);
            using var response = await workers.SendAsync(gateway, HttpMethod.Put, GatewayPaths.CollabConfig, ProtocolJson.Content(body), timeout.Token);
            return response.IsSuccessStatusCode ? "" : $"gateway {gateway.GatewayId} answered {(int)response.StatusCode}";
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
        {
            return $"gateway {gateway.GatewayId} could not be reached: {exception.Message}";
        }
    }

    /// <summary>
    /// The organization's config as its gateway serves it: the one shape of both the handshake's
    /// <see cref="GatewayConfigResponse"/> and <see cref="GatewayPaths.CollabConfig"/>.
    /// </summary>
    public static OrganizationConfig Config(OrganizationSettings settings, GatewayOptions gateway)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(gateway);
        return new OrganizationConfig
        {
            OrganizationId = settings.Organization.OrganizationId,
            SettingsRevision = settings.Revision,
            OrganizationName = settings.Organization.Name,
            Members = [.. settings.Members.Select(m => new GatewayMember(m.UserId, m.Username, m.Role.ToText()))],
            Projects = [.. settings.Projects.Select(p => new GatewayProject(p.ProjectId, p.Name))],
            StorageQuotaBytes = settings.Organization.StorageQuotaBytes ?? gateway.OrganizationStorageQuota.Bytes,
        };
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Could not send organization {OrganizationId}'s settings to its gateway; the pings will try again: {Detail}")]
    private static partial void LogUndelivered(ILogger logger, string organizationId, string detail);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "The gateway of organization {OrganizationId} holds settings revision {Held}, the store {Current}: sending again")]
    private static partial void LogBehind(ILogger logger, string organizationId, long held, long current);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Error, Message = "Sending organization {OrganizationId}'s settings to its gateway failed unexpectedly")]
    private static partial void LogCrashed(ILogger logger, Exception exception, string organizationId);
}
