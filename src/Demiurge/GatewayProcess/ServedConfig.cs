using Demiurge.GatewayProcess.Permissions;
using Demiurge.Protocol;

namespace Demiurge.GatewayProcess;

/// <summary>
/// The organization's config as the worker serves it: an <see cref="OrganizationConfig"/> that
/// passed <see cref="ControlPlaneAnswers.ConfigError"/>, parsed once. Immutable: a newer revision
/// replaces it whole (<see cref="OrganizationSession.Apply"/>).
/// </summary>
internal sealed record ServedConfig(
    long Revision, string OrganizationName, IReadOnlyList<OrganizationMember> Members, IReadOnlyDictionary<string, string> Projects, long StorageQuotaBytes)
{
    /// <summary>Parses <paramref name="config"/>, which <see cref="ControlPlaneAnswers.ConfigError"/> found valid.</summary>
    public static ServedConfig From(OrganizationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new ServedConfig(
            config.SettingsRevision!.Value,
            config.OrganizationName!,
            [.. config.Members!.Select(m => PermissionManager.TryParseRole(m.Role, out var role)
                ? new OrganizationMember(m.UserId, m.Username, role)
                : throw new ArgumentException("ConfigError lets only known roles through.", nameof(config)))],
            config.Projects!.ToDictionary(p => p.ProjectId, p => p.Name, StringComparer.Ordinal),
            config.StorageQuotaBytes!.Value);
    }
}
