namespace Demiurge.GatewayProcess;

/// <summary>The text of <c>demiurge gateway</c>'s flags, before <c>GatewayCommand.ParseOptions</c> checks it.</summary>
internal sealed record GatewayArguments(string? ControlPlane, string? Port, string? GatewayId, string? InactivityTimeout, string? AutosaveInterval);
