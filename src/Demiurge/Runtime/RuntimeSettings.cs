using Demiurge.Hosting;

namespace Demiurge.Runtime;

/// <summary>The runtime's rows of the settings table, and their validation.</summary>
internal static class RuntimeSettings
{
    public static readonly Setting Provider = new("Runtime:Provider", typeof(string), "Runtime for gateways: process or docker.", Name: "Runtime");

    public static readonly IReadOnlyList<Setting> All = [Provider];

    public static void Validate(RuntimeOptions options, List<string> errors)
    {
        if (options.Provider is not (RuntimeOptions.Process or RuntimeOptions.Docker))
        {
            errors.Add($"{Provider.Describe()} '{options.Provider}' is not one of {RuntimeOptions.Process}, {RuntimeOptions.Docker}.");
        }
    }
}
