namespace Demiurge.Common;

/// <summary>
/// The values of the <c>Demiurge</c> section that belong to the platform as a whole rather than to
/// one part. Each part reads these and its own section (<c>EdgeOptions</c>, <c>DnsOptions</c>, ...),
/// never the composition root's <c>DemiurgeOptions</c>, which adds the parts' sections to these.
/// </summary>
public class PlatformOptions
{
    /// <summary>Directory that holds the database and every other piece of state.</summary>
    public string DataDir { get; set; } = DefaultDataDir();

    /// <summary>Loopback port of the control-plane API; 0 picks a free port.</summary>
    public int ApiPort { get; set; } = 5080;

    /// <summary>DNS suffix under which organizations get their names (<c>org-{id}.{Domain}</c>).</summary>
    public string Domain { get; set; } = "demiurge.localhost";

    /// <summary>
    /// Token of the built-in <c>admin</c> user. When set, it replaces the stored one at start;
    /// when unset, a token is generated on first start and printed once.
    /// </summary>
    public string? AdminToken { get; set; }

    /// <summary>
    /// The master key (32 bytes, base64) that wraps the key ring in the store. Every control plane
    /// of one store needs the same one; when unset, <c>master.key</c> in the data dir (0600) holds
    /// it, created on the first start.
    /// </summary>
    public string? MasterKey { get; set; }

    /// <summary>
    /// The URL gateway workers use to reach this control plane, and through which the other
    /// control planes' workers fail over to it; the API's loopback address when unset.
    /// </summary>
    public string? AdvertiseUrl { get; set; }

    /// <summary>
    /// The console's log lines: <c>text</c> for a person or <c>json</c> for machines; when unset,
    /// <c>text</c> on a terminal and <c>json</c> otherwise (see <see cref="ConsoleLogging"/>).
    /// </summary>
    public string? LogFormat { get; set; }

    private static string DefaultDataDir()
    {
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(dataHome))
        {
            dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }

        return Path.Combine(dataHome, "demiurge");
    }
}
