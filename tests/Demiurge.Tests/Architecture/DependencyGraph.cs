using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Demiurge.Tests.Architecture;

/// <summary>
/// Which of the assembly's types use which, read from its metadata and IL with Mono.Cecil: base
/// types, interfaces, fields, properties, signatures, attributes, and every type, method and field
/// a method body names. Compiler-generated nested types (lambdas, async state machines) count as
/// their outermost declaring type.
/// </summary>
internal sealed class DependencyGraph
{
    private DependencyGraph(IReadOnlyDictionary<string, TypeNode> types) => Types = types;

    /// <summary>Every top-level type of the assembly by full name, with the assembly's types it uses.</summary>
    public IReadOnlyDictionary<string, TypeNode> Types { get; }

    public static DependencyGraph Read(string assemblyPath)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        var assemblyName = module.Assembly.Name.Name;
        var nodes = new Dictionary<string, TypeNode>(StringComparer.Ordinal);
        foreach (var type in module.Types.Where(t => t.Name != "<Module>" && !string.IsNullOrEmpty(t.Namespace)))
        {
            var uses = new HashSet<string>(StringComparer.Ordinal);
            Collect(type, t => AddUse(t, assemblyName, uses));
            uses.Remove(type.FullName);
            nodes[type.FullName] = new TypeNode(type.FullName, type.Namespace, type.IsInterface, uses,
                [.. type.Interfaces.Select(i => Outermost(i.InterfaceType).FullName)]);
        }

        return new DependencyGraph(nodes);
    }

    /// <summary>
    /// Part → the parts of the assembly it uses (itself excluded). A part is a namespace cut to
    /// <paramref name="depth"/> segments (<c>Demiurge.Edge.Nginx</c> is in the part
    /// <c>Demiurge.Edge</c> at depth 2); namespaces the compiler generates outside the root are left out.
    /// </summary>
    public Dictionary<string, HashSet<string>> Parts(string root, int depth)
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var node in Types.Values.Where(n => n.Namespace.StartsWith(root + ".", StringComparison.Ordinal)))
        {
            var part = Part(node.Namespace, depth);
            var uses = graph.TryGetValue(part, out var existing) ? existing : graph[part] = new(StringComparer.Ordinal);
            foreach (var used in node.Uses)
            {
                if (Types.TryGetValue(used, out var target) && target.Namespace.StartsWith(root + ".", StringComparison.Ordinal)
                    && Part(target.Namespace, depth) is var usedPart && usedPart != part)
                {
                    uses.Add(usedPart);
                }
            }
        }

        return graph;
    }

    private static string Part(string ns, int depth) => string.Join('.', ns.Split('.').Take(depth));

    private static void AddUse(TypeReference? reference, string assemblyName, HashSet<string> uses)
    {
        switch (reference)
        {
            case null or GenericParameter:
                return;
            case GenericInstanceType generic:
                AddUse(generic.ElementType, assemblyName, uses);
                foreach (var argument in generic.GenericArguments)
                {
                    AddUse(argument, assemblyName, uses);
                }

                return;
            case TypeSpecification specification: // arrays, by-ref, pointers
                AddUse(specification.ElementType, assemblyName, uses);
                return;
        }

        var scope = reference.Scope switch
        {
            ModuleDefinition module => module.Assembly.Name.Name,
            AssemblyNameReference assembly => assembly.Name,
            _ => null,
        };
        if (scope == assemblyName)
        {
            uses.Add(Outermost(reference).FullName);
        }
    }

    private static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    private static void Collect(TypeDefinition type, Action<TypeReference?> use)
    {
        use(type.BaseType);
        foreach (var item in type.Interfaces)
        {
            use(item.InterfaceType);
        }

        Attributes(type, use);
        foreach (var field in type.Fields)
        {
            use(field.FieldType);
            Attributes(field, use);
        }

        foreach (var property in type.Properties)
        {
            use(property.PropertyType);
            Attributes(property, use);
        }

        foreach (var method in type.Methods)
        {
            Method(method, use);
        }

        foreach (var nested in type.NestedTypes)
        {
            Collect(nested, use);
        }
    }

    private static void Method(MethodDefinition method, Action<TypeReference?> use)
    {
        use(method.ReturnType);
        foreach (var parameter in method.Parameters)
        {
            use(parameter.ParameterType);
            Attributes(parameter, use);
        }

        Attributes(method, use);
        if (!method.HasBody)
        {
            return;
        }

        foreach (var variable in method.Body.Variables)
        {
            use(variable.VariableType);
        }

        foreach (var instruction in method.Body.Instructions)
        {
            switch (instruction.Operand)
            {
                case TypeReference type:
                    use(type);
                    break;
                case MethodReference called:
                    use(called.DeclaringType);
                    use(called.ReturnType);
                    if (called is GenericInstanceMethod generic)
                    {
                        generic.GenericArguments.ToList().ForEach(use);
                    }

                    break;
                case FieldReference field:
                    use(field.DeclaringType);
                    use(field.FieldType);
                    break;
            }
        }
    }

    private static void Attributes(ICustomAttributeProvider provider, Action<TypeReference?> use)
    {
        foreach (var attribute in provider.CustomAttributes)
        {
            use(attribute.AttributeType);
            foreach (var argument in attribute.ConstructorArguments)
            {
                use(argument.Value as TypeReference);
            }
        }
    }
}

/// <summary>A top-level type, the assembly's types it uses, and the interfaces it implements.</summary>
internal sealed record TypeNode(string FullName, string Namespace, bool IsInterface, IReadOnlySet<string> Uses, IReadOnlyList<string> Implements);
