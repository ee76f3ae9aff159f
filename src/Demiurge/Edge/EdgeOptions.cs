namespace Demiurge.Edge;

/// <summary>The stage-1 edge (section <c>Demiurge:Edge</c>).</summary>
public sealed class EdgeOptions
{
    public const string Embedded = "embedded";
    public const string Nginx = "nginx";

    /// <summary><c>embedded</c> (Demiurge's own proxy) or <c>nginx</c>.</summary>
    public string Provider { get; set; } = Embedded;

    /// <summary>Port of the embedded edge's plain HTTP listener; 0 picks a free one.</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>Port of the embedded edge's TLS listener; 0 picks a free one.</summary>
    public int HttpsPort { get; set; } = 8443;
}
