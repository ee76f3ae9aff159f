namespace Demiurge.Tests.Architecture;

/// <summary>
/// The architecture, read from the built assembly (seed 003's "Architecture Validation"): no
/// cycle between the parts (<c>Demiurge.X</c>, the top-level namespaces; inside a part, an
/// adapter's namespace uses its port's and the part's registration uses its adapters) beyond
/// the known debt listed here, the gateway worker (and the agent) never uses a control-plane
/// feature, and no port's interface depends on one of its adapters. docs/architecture.md and
/// decision 0005 explain the layout.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Lazy<DependencyGraph> s_graph = new(() => DependencyGraph.Read(typeof(Demiurge.Cli.DemiurgeCli).Assembly.Location));

    /// <summary>
    /// Known debt: the uses between parts that still close a cycle, each with its reason. They are
    /// one knot of control-plane features (decision 0006 says how to untie it); the options, API
    /// helpers and stores that tied every part together are paid. The list may only shrink: a new
    /// use that closes a cycle fails, and so does an entry that no longer closes one.
    /// </summary>
    private static readonly string[] s_knownCycleUses =
    [
        "Demiurge.ApiKeys -> Demiurge.Identity", // a key acts as the user who created it (ApiKeyHolder holds the User)
        "Demiurge.ApiKeys -> Demiurge.Organizations", // a key may be limited to one organization, checked against its membership
        "Demiurge.Gateways -> Demiurge.Organizations", // a gateway serves an organization: its store, settings and access rules
        "Demiurge.Gateways -> Demiurge.Projects", // the settings a gateway gets carry the organization's projects
        "Demiurge.Gateways -> Demiurge.Security", // the control plane signs its calls to workers with the key ring (KeyRing)
        "Demiurge.Identity -> Demiurge.ApiKeys", // a bearer token is a user token or an API key: one handler reads both (and endpoints name key scopes)
        "Demiurge.Organizations -> Demiurge.ApiKeys", // organization endpoints name the API key scope they need (ApiKeyRequirement)
        "Demiurge.Organizations -> Demiurge.Gateways", // membership changes are pushed to the organization's gateway (GatewaySettingsPublisher)
        "Demiurge.Organizations -> Demiurge.Identity", // members are users (IUserStore, User)
        "Demiurge.Organizations -> Demiurge.Projects", // the organization's store returns its projects with its settings
        "Demiurge.Projects -> Demiurge.Gateways", // project changes are pushed to the organization's gateway (GatewaySettingsPublisher)
        "Demiurge.Projects -> Demiurge.Organizations", // a project belongs to an organization and is checked against its access rules
        "Demiurge.Security -> Demiurge.Organizations", // secrets belong to an organization; their endpoints check its access rules
    ];

    /// <summary>The control plane's features: what only a control plane runs.</summary>
    private static readonly string[] s_controlPlaneFeatures =
    [
        "Demiurge.Organizations", "Demiurge.Projects", "Demiurge.Gateways", "Demiurge.ApiKeys", "Demiurge.Events",
        "Demiurge.Coordination", "Demiurge.Store",
    ];

    /// <summary>The processes that run beside a control plane, never inside it.</summary>
    private static readonly string[] s_remoteRoles = ["Demiurge.GatewayProcess", "Demiurge.Agent"];

    [Fact]
    public void Parts_CloseNoCyclesBeyondTheKnownDebt()
    {
        var graph = s_graph.Value.Parts("Demiurge", depth: 2);
        var cycleUses = (
            from component in StronglyConnected(graph).Where(c => c.Count > 1)
            from source in component
            from target in graph[source].Where(component.Contains)
            select $"{source} -> {target}").ToHashSet(StringComparer.Ordinal);

        var added = cycleUses.Except(s_knownCycleUses).Order(StringComparer.Ordinal).ToList();
        var paid = s_knownCycleUses.Except(cycleUses).Order(StringComparer.Ordinal).ToList();

        Assert.True(added.Count == 0, "Uses that close a cycle between parts (break the cycle; docs/architecture.md says which way parts depend):\n" + string.Join("\n", added));
        Assert.True(paid.Count == 0, "Known cycle uses that no longer close a cycle: remove them from s_knownCycleUses.\n" + string.Join("\n", paid));
    }

    [Fact]
    public void GatewayWorkerAndAgent_UseNoControlPlaneFeature()
    {
        var violations = (
            from node in s_graph.Value.Types.Values
            where s_remoteRoles.Any(r => InPart(node.Namespace, r))
            from used in node.Uses
            let target = s_graph.Value.Types.GetValueOrDefault(used)
            where target is not null && s_controlPlaneFeatures.Any(f => InPart(target.Namespace, f))
            select $"{node.FullName} uses {used}").ToList();

        Assert.True(violations.Count == 0, "The gateway worker or the agent uses a control-plane feature:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void PortInterfaces_DoNotDependOnTheirAdapters()
    {
        var types = s_graph.Value.Types;
        var violations = new List<string>();
        foreach (var port in types.Values.Where(t => t.IsInterface))
        {
            var adapterNamespaces = types.Values
                .Where(t => t.Implements.Contains(port.FullName) && t.Namespace != port.Namespace)
                .Select(t => t.Namespace)
                .ToHashSet(StringComparer.Ordinal);
            violations.AddRange(port.Uses
                .Where(u => types.TryGetValue(u, out var used) && adapterNamespaces.Contains(used.Namespace))
                .Select(u => $"{port.FullName} uses {u}, in the namespace of one of its adapters"));
        }

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void DependencyGraph_SeesUsesInMethodBodies()
    {
        // The reader must see what a method body names, or the checks above could never fail.
        var cli = s_graph.Value.Types["Demiurge.Cli.DemiurgeCli"];

        Assert.Contains("Demiurge.Cli.Commands.ServeCommand", cli.Uses);
        Assert.Contains("Demiurge.Cli.Commands", s_graph.Value.Parts("Demiurge", depth: 3)["Demiurge.Cli"]);
    }

    private static bool InPart(string ns, string part) => ns == part || ns.StartsWith(part + ".", StringComparison.Ordinal);

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (!index.TryGetValue(next, out var nextIndex))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], nextIndex);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                components.Add(component);
            }
        }

        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return components;
    }
}
