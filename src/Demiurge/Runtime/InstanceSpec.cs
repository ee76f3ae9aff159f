namespace Demiurge.Runtime;

/// <summary>
/// What a driver starts: <c>demiurge</c> with <see cref="Arguments"/> and
/// <see cref="Environment"/> (secrets travel there, never on argv), serving at
/// <see cref="Address"/>, healthy while <see cref="HealthPath"/> answers. <see cref="InstanceId"/>
/// is unique and names the instance on its driver (a process's log, a container's name).
/// </summary>
internal sealed record InstanceSpec(
    string InstanceId, string Role, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, Uri Address, string HealthPath);
