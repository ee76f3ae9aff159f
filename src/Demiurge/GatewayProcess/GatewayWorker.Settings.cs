using Demiurge.GatewayProcess.Managers;

namespace Demiurge.GatewayProcess;

/// <summary>The live part of the config: members, roles, projects, the name and the storage quota, replaced while serving.</summary>
internal sealed partial class GatewayWorker
{
    /// <summary>
    /// Applies <paramref name="request"/> (validated by <see cref="SettingsError"/>) if it is for
    /// the organization served now and newer than what the gateway holds. The members replace the
    /// permission manager's at once, so a removed member's next request, and every OAuth token of
    /// theirs, is refused; documents of projects no longer listed are forgotten and never pushed.
    /// Null when the gateway serves no such organization.
    /// </summary>
    public CollabConfigResponse? ApplySettings(CollabConfigRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var members = ToMembers(request.Members!);
        lock (_lock)
        {
            if (_state != GatewayWorkerState.Serving || _session is null || _allocation is null || _allocation.OrganizationId != request.OrganizationId)
            {
                return null;
            }

            var revision = request.SettingsRevision!.Value;
            if (revision <= _session.SettingsRevision)
            {
                return new CollabConfigResponse(_allocation.OrganizationId, _session.SettingsRevision, Applied: false);
            }

            _session.Managers.Permissions.Replace(members);
            _session.StorageQuotaBytes = request.StorageQuotaBytes!.Value;
            var forgotten = _session.ApplySettings(revision, request.OrganizationName!, request.Projects!.ToDictionary(p => p.ProjectId, p => p.Name, StringComparer.Ordinal));
            LogSettingsApplied(_logger, _options.GatewayId, _allocation.OrganizationId, revision, members.Count, request.Projects!.Count, forgotten);
            return new CollabConfigResponse(_allocation.OrganizationId, revision, Applied: true);
        }
    }

    /// <summary>Why <paramref name="request"/> cannot be applied as it is, or null.</summary>
    public static string? SettingsError(CollabConfigRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.OrganizationId) || request.SettingsRevision is not >= 0 || string.IsNullOrEmpty(request.OrganizationName)
            || request.StorageQuotaBytes is not > 0)
        {
            return "organization_id, settings_revision (not negative), organization_name and storage_quota_bytes (positive) are required.";
        }

        return request.Members is null ? "members is required (a list)." : MembersError(request.Members) ?? ProjectsError(request.Projects);
    }

    private static List<OrganizationMember> ToMembers(IEnumerable<MemberAnswer> members) =>
        [.. members.Select(m => PermissionManager.TryParseRole(m.Role, out var role)
            ? new OrganizationMember(m.UserId, m.Username, role)
            : throw new InvalidOperationException("MembersError lets only known roles through."))];

    [LoggerMessage(EventId = 4052, Level = LogLevel.Information, Message = "Gateway {GatewayId} applied organization {OrganizationId}'s settings at revision {Revision}: {Members} member(s), {Projects} project(s), {Forgotten} deleted project document(s) forgotten")]
    private static partial void LogSettingsApplied(ILogger logger, string gatewayId, string organizationId, long revision, int members, int projects, int forgotten);
}
