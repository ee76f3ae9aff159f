namespace Demiurge.Edge.Nginx;

/// <summary>nginx refused a change (its configuration test or its reload failed); the message quotes nginx.</summary>
internal sealed class NginxException(string message) : IOException(message);
