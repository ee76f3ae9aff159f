using System.Buffers.Text;
using System.Text.Json;
using Demiurge.GatewayProcess.Permissions;
using Demiurge.GatewayProcess.Routing;
using Demiurge.Protocol;

namespace Demiurge.GatewayProcess;

/// <summary>
/// The worker's checks of what the control plane hands it (the handshake, the config, the pull,
/// a config update): pure functions, each returning why the input cannot be used, or null. The
/// worker acts only on what passed them, so nothing half-read is ever served.
/// </summary>
internal static class ControlPlaneAnswers
{
    /// <summary>Why <paramref name="handshakeToken"/> is not one to redeem.</summary>
    public static string? HandshakeTokenError(string? handshakeToken) => handshakeToken switch
    {
        null or "" => "The handshake_token is required.",
        { Length: > CollabStartRequest.MaxHandshakeTokenLength } => $"The handshake_token must be at most {CollabStartRequest.MaxHandshakeTokenLength} characters.",
        _ => null,
    };

    /// <summary>Why the answer to <see cref="GatewayPaths.Config"/> cannot be served by gateway <paramref name="gatewayId"/>.</summary>
    public static string? ConfigAnswerError(GatewayConfigResponse config, string gatewayId)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (string.IsNullOrEmpty(config.AllocationId) || string.IsNullOrEmpty(config.OrganizationId) || string.IsNullOrEmpty(config.AllocationToken))
        {
            return "allocation_id, organization_id and allocation_token are required.";
        }

        if (config.GatewayId != gatewayId)
        {
            return $"it is for gateway '{config.GatewayId}', and this is '{gatewayId}'.";
        }

        // Stage 2 and the redirect URIs are checked against this name: it must be the organization's.
        if (!HostNames.IsUnderOrganization(config.GatewayHostname, config.OrganizationId)
            || Uri.CheckHostName(config.GatewayHostname) != UriHostNameType.Dns)
        {
            return $"gateway_hostname must be the organization's name, {HostNames.Organization(config.OrganizationId, "{domain}")}, not '{config.GatewayHostname}'.";
        }

        return SecondsError(config.InactivityTimeoutSeconds, "inactivity_timeout_seconds")
            ?? SecondsError(config.AutosaveIntervalSeconds, "autosave_interval_seconds")
            ?? ConfigError(config);
    }

    /// <summary>Why <paramref name="config"/>, from the handshake or from <see cref="GatewayPaths.CollabConfig"/>, cannot be served.</summary>
    public static string? ConfigError(OrganizationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (string.IsNullOrEmpty(config.OrganizationId) || config.SettingsRevision is not >= 0 || string.IsNullOrEmpty(config.OrganizationName)
            || config.StorageQuotaBytes is not > 0)
        {
            return "organization_id, settings_revision (not negative), organization_name and storage_quota_bytes (positive) are required.";
        }

        return MembersError(config.Members) ?? ProjectsError(config.Projects);
    }

    /// <summary>The members are who may use the organization here: refuse a list that cannot be read exactly.</summary>
    public static string? MembersError(IReadOnlyList<GatewayMember>? members)
    {
        if (members is null)
        {
            return "members is required (a list).";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            if (member is null || string.IsNullOrEmpty(member.UserId) || string.IsNullOrEmpty(member.Username))
            {
                return "every member needs a user_id and a username.";
            }

            if (!PermissionManager.TryParseRole(member.Role, out _))
            {
                return $"member {member.UserId} has the role '{member.Role}'; the roles are owner, admin, member and viewer.";
            }

            if (!seen.Add(member.UserId))
            {
                return $"member {member.UserId} is listed twice.";
            }
        }

        return null;
    }

    /// <summary>Only the organization's projects have documents here: refuse a list that cannot be read exactly.</summary>
    public static string? ProjectsError(IReadOnlyList<GatewayProject>? projects)
    {
        if (projects is null)
        {
            return "projects is required (a list, empty when the organization has none).";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var project in projects)
        {
            if (project is null || Ids.Parse(project.ProjectId) != project.ProjectId || string.IsNullOrEmpty(project.Name))
            {
                return "every project needs a project_id (a lower-case UUID) and a name.";
            }

            if (!seen.Add(project.ProjectId))
            {
                return $"project {project.ProjectId} is listed twice.";
            }
        }

        return null;
    }

    /// <summary>Why the answer to <see cref="GatewayPaths.DataPull"/> is not the data of <paramref name="organizationId"/>.</summary>
    public static string? PullError(DataPullResponse pull, string organizationId)
    {
        ArgumentNullException.ThrowIfNull(pull);
        if (pull.OrganizationId != organizationId)
        {
            return $"it is for organization '{pull.OrganizationId}', not '{organizationId}'.";
        }

        if (pull.Version < 0)
        {
            return "the version is negative.";
        }

        foreach (var (projectId, state) in pull.Data?.YjsState ?? new Dictionary<string, string>())
        {
            if (Ids.Parse(projectId) != projectId)
            {
                return $"'{projectId}' is not a project id (a lower-case UUID).";
            }

            if (state is null || !Base64.IsValid(state))
            {
                return $"the document of project {projectId} is not base64.";
            }
        }

        return pull.Data?.GatewayState is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) }
            ? "gateway_state must be an object or null."
            : null;
    }

    private static string? SecondsError(double? seconds, string name) =>
        seconds is null || (seconds > 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2)
            ? null
            : $"{name} must be a positive number of seconds or null.";
}
