using Demiurge.Hosting;

namespace Demiurge.Edge;

/// <summary>The edge's rows of the settings table, and their validation.</summary>
internal static class EdgeSettings
{
    public static readonly Setting Provider = new("Edge:Provider", typeof(string), "Stage-1 edge: embedded or nginx.", Name: "Edge");
    public static readonly Setting HttpPort = new("Edge:HttpPort", typeof(int), "Port of the embedded edge's HTTP listener (0 picks a free one).");
    public static readonly Setting HttpsPort = new("Edge:HttpsPort", typeof(int), "Port of the embedded edge's TLS listener (0 picks a free one).");

    public static readonly IReadOnlyList<Setting> All = [Provider, HttpPort, HttpsPort];

    public static void Validate(EdgeOptions options, List<string> errors)
    {
        if (options.Provider is not (EdgeOptions.Embedded or EdgeOptions.Nginx))
        {
            errors.Add($"{Provider.Describe()} '{options.Provider}' is not one of {EdgeOptions.Embedded}, {EdgeOptions.Nginx}.");
        }

        Settings.ValidatePort(HttpPort, options.HttpPort, errors);
        Settings.ValidatePort(HttpsPort, options.HttpsPort, errors);
    }
}
