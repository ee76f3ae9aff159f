using System.Collections;
using Demiurge.Dns;
using Demiurge.Edge;

namespace Demiurge.Hosting;

/// <summary>
/// The roles that serve without the API, composed of the same registration extensions as the
/// control plane (<see cref="ControlPlane.Create"/>) and the gateway worker.
/// </summary>
internal static class Roles
{
    /// <summary>
    /// <c>demiurge edge</c>: the edge alone, following the routes in the store: the embedded edge,
    /// or with <c>--edge nginx</c> this host's nginx (its sites written, tested and reloaded as the
    /// store changes, its certificates renewed), so that an edge host converges to the routes.
    /// </summary>
    /// <exception cref="ConfigurationException">Some settings are invalid; every problem is listed.</exception>
    public static RoleHost Edge(IReadOnlyDictionary<string, string?> flags, IDictionary? environment = null) =>
        Create(flags, environment, new ControlPlaneRole(ServesEdge: true, ServesDns: false), services => services.AddEdge(), _ => null);

    /// <summary><c>demiurge dns</c>: the embedded DNS server alone, answering from the store.</summary>
    /// <exception cref="ConfigurationException">Some settings are invalid, or name another DNS server; every problem is listed.</exception>
    public static RoleHost Dns(IReadOnlyDictionary<string, string?> flags, IDictionary? environment = null) =>
        Create(flags, environment, new ControlPlaneRole(ServesEdge: false, ServesDns: true), services => services.AddDns(), options =>
            options.Dns.Provider == DnsOptions.Embedded
                ? null
                : $"'demiurge dns' runs the embedded server; with {DnsSettings.Provider.Flag} {options.Dns.Provider} that server answers instead.");

    /// <summary>
    /// A role over the store that serves what <paramref name="role"/> names, registered by
    /// <paramref name="serve"/>; settings it cannot serve are refused (<paramref name="refusal"/> says why, or null).
    /// </summary>
    private static RoleHost Create(
        IReadOnlyDictionary<string, string?> flags, IDictionary? environment, ControlPlaneRole role, Action<IServiceCollection> serve, Func<DemiurgeOptions, string?> refusal)
    {
        var builder = RoleHost.CreateBuilder();
        builder.AddDemiurgeSettings(flags, environment).AddDemiurgeLogging();
        builder.Services.AddSingleton(role).AddPreparedStore();
        serve(builder.Services);
        var host = builder.Build();
        if (refusal(host.Services.GetRequiredService<IOptions<DemiurgeOptions>>().Value) is { } problem)
        {
            host.Dispose();
            throw new ConfigurationException([problem]);
        }

        return new RoleHost(host);
    }
}
