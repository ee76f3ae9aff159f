using System.Text.Json;

namespace Demiurge.Tests.Security;

/// <summary>docs/permissions.json: the expected answer per operation and caller, for the control plane and the gateway.</summary>
internal sealed record PermissionTable(IReadOnlyList<string> Callers, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ControlPlane,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Gateway)
{
    public const string Allow = "allow";

    /// <summary>
    /// The operation a row checks: its key without the variant, the third word some keys have
    /// (<c>PATCH /orgs/{organization_id} storage_quota_bytes</c> is that PATCH with that body).
    /// </summary>
    public static string Operation(string rowKey) => string.Join(' ', rowKey.Split(' ').Take(2));

    public static PermissionTable Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "permissions.json")));
        var root = document.RootElement;
        return new PermissionTable(
            [.. root.GetProperty("callers").EnumerateArray().Select(c => c.GetString()!)],
            Section(root.GetProperty("control_plane")),
            Section(root.GetProperty("gateway")));
    }

    private static Dictionary<string, IReadOnlyDictionary<string, string>> Section(JsonElement section) =>
        section.EnumerateObject().ToDictionary(
            o => o.Name,
            o => (IReadOnlyDictionary<string, string>)o.Value.EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetString()!));
}
