namespace Demiurge.Runtime;

/// <summary>
/// A started instance as its driver finds it again, after a restart of the control plane too:
/// the driver, the instance's id (the <see cref="InstanceSpec.InstanceId"/> it was started
/// with), the node it runs on, where it serves, and the host's process id when there is one.
/// </summary>
internal sealed record InstanceHandle(string Driver, string InstanceId, string Node, IReadOnlyList<Uri> Addresses, IReadOnlyList<int> Ports, int? ProcessId)
{
    /// <summary>The node of every instance until nodes and agents come: this machine.</summary>
    public const string LocalNode = "local";
}
