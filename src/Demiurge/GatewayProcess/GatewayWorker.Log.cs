namespace Demiurge.GatewayProcess;

/// <summary>The worker's log lines, apart from its logic (as YARP keeps them).</summary>
internal sealed partial class GatewayWorker
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Gateway {GatewayId} is ready (accepted after {Attempts} attempt(s))")]
        public static partial void Ready(ILogger logger, string gatewayId, int attempts);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Gateway {GatewayId} could not report ready (attempt {Attempt}); retrying in {DelayMs} ms: {Detail}")]
        public static partial void ReadyRetry(ILogger logger, string gatewayId, int attempt, double delayMs, string detail);

        [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "Gateway {GatewayId} was refused as ready for good; it will not be allocated: {Detail}")]
        public static partial void ReadyRefused(ILogger logger, string gatewayId, string detail);

        [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Gateway {GatewayId} stopped announcing ready after an unexpected error")]
        public static partial void ReadyCrashed(ILogger logger, Exception exception, string gatewayId);

        [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Gateway {GatewayId} serves organization {OrganizationId} (allocation {AllocationId}) after a {ElapsedMs:0.0} ms handshake")]
        public static partial void Serving(ILogger logger, string gatewayId, string organizationId, string allocationId, double elapsedMs);

        [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "Gateway {GatewayId} handshake failed; back to idle: {Detail}")]
        public static partial void HandshakeFailed(ILogger logger, string gatewayId, string detail);

        [LoggerMessage(EventId = 4012, Level = LogLevel.Error, Message = "Gateway {GatewayId} handshake crashed; back to idle")]
        public static partial void HandshakeCrashed(ILogger logger, Exception exception, string gatewayId);

        [LoggerMessage(EventId = 4020, Level = LogLevel.Information, Message = "Gateway {GatewayId} pushed {Projects} project(s) of organization {OrganizationId} ({Reason}), version {FromVersion} → {ToVersion}")]
        public static partial void Pushed(ILogger logger, string gatewayId, string organizationId, string reason, int projects, long fromVersion, long toVersion);

        [LoggerMessage(EventId = 4021, Level = LogLevel.Warning, Message = "Gateway {GatewayId} push for organization {OrganizationId} ({Reason}) refused as stale at version {Version}; keeping the data unsaved: {Detail}")]
        public static partial void PushStale(ILogger logger, string gatewayId, string organizationId, string reason, long version, string detail);

        [LoggerMessage(EventId = 4022, Level = LogLevel.Warning, Message = "Gateway {GatewayId} push for organization {OrganizationId} ({Reason}) failed; will retry: {Detail}")]
        public static partial void PushFailed(ILogger logger, string gatewayId, string organizationId, string reason, string detail);

        [LoggerMessage(EventId = 4023, Level = LogLevel.Warning, Message = "Gateway {GatewayId} lost organization {OrganizationId}: allocation {AllocationId} was revoked; dropping its data: {Detail}")]
        public static partial void Revoked(ILogger logger, string gatewayId, string organizationId, string allocationId, string detail);

        [LoggerMessage(EventId = 4028, Level = LogLevel.Warning, Message = "Gateway {GatewayId} push of {Pieces} piece(s) for organization {OrganizationId} ({Reason}) refused for good; pushing each alone: {Detail}")]
        public static partial void PushRejected(ILogger logger, string gatewayId, string organizationId, string reason, int pieces, string detail);

        [LoggerMessage(EventId = 4029, Level = LogLevel.Warning, Message = "Gateway {GatewayId} found organization {OrganizationId} at version {Current}, not {Held}: an earlier push landed unanswered; pushing again on top of it")]
        public static partial void VersionAdopted(ILogger logger, string gatewayId, string organizationId, long held, long current);

        [LoggerMessage(EventId = 4030, Level = LogLevel.Information, Message = "Gateway {GatewayId} releasing organization {OrganizationId} (allocation {AllocationId}): {Reason}")]
        public static partial void Releasing(ILogger logger, string gatewayId, string organizationId, string allocationId, string reason);

        [LoggerMessage(EventId = 4031, Level = LogLevel.Information, Message = "Gateway {GatewayId} released organization {OrganizationId} (allocation {AllocationId})")]
        public static partial void Released(ILogger logger, string gatewayId, string organizationId, string allocationId);

        [LoggerMessage(EventId = 4032, Level = LogLevel.Warning, Message = "Gateway {GatewayId} could not stop organization {OrganizationId}; still serving, will retry: {Detail}")]
        public static partial void StopFailed(ILogger logger, string gatewayId, string organizationId, string detail);

        [LoggerMessage(EventId = 4033, Level = LogLevel.Error, Message = "Gateway {GatewayId} releases organization {OrganizationId} (allocation {AllocationId}) with unsaved changes: the control plane holds a newer version")]
        public static partial void UnsavedDropped(ILogger logger, string gatewayId, string organizationId, string allocationId);

        [LoggerMessage(EventId = 4034, Level = LogLevel.Error, Message = "Gateway {GatewayId} drops the unsaved document of project {ProjectId} ({Bytes} bytes) of organization {OrganizationId}: it can never be saved, since {Reason}. The rest is saved")]
        public static partial void DocumentDropped(ILogger logger, string gatewayId, string organizationId, string projectId, long bytes, string reason);

        [LoggerMessage(EventId = 4035, Level = LogLevel.Error, Message = "Gateway {GatewayId} drops the unsaved gateway state of organization {OrganizationId}: it can never be saved, since {Reason}. The documents are saved")]
        public static partial void GatewayStateDropped(ILogger logger, string gatewayId, string organizationId, string reason);

        [LoggerMessage(EventId = 4040, Level = LogLevel.Error, Message = "Gateway {GatewayId} stopped without its final push for organization {OrganizationId}: {Reason}")]
        public static partial void ShutdownPushAbandoned(ILogger logger, string gatewayId, string? organizationId, string reason);

        [LoggerMessage(EventId = 4050, Level = LogLevel.Information, Message = "Gateway {GatewayId} OAuth cleanup for organization {OrganizationId}: removed {Removed} expired code(s) and token(s)")]
        public static partial void CleanedUp(ILogger logger, string gatewayId, string organizationId, int removed);

        [LoggerMessage(EventId = 4051, Level = LogLevel.Information, Message = "Gateway {GatewayId} restored organization {OrganizationId}'s managers without {Dropped} code(s) and token(s) that can no longer be used (expired, of a deleted client, or of a former member)")]
        public static partial void RestoreDropped(ILogger logger, string gatewayId, string organizationId, int dropped);

        [LoggerMessage(EventId = 4052, Level = LogLevel.Information, Message = "Gateway {GatewayId} applied organization {OrganizationId}'s settings at revision {Revision}: {Members} member(s), {Projects} project(s), {Forgotten} deleted project document(s) forgotten")]
        public static partial void ConfigApplied(ILogger logger, string gatewayId, string organizationId, long revision, int members, int projects, int forgotten);
    }
}
