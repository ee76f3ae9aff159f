namespace Demiurge.GatewayProcess;

/// <summary>The text of <c>demiurge gateway</c>'s flags, before <c>GatewayCommand.ParseOptions</c> checks it.</summary>
/// <remarks>
/// A null <see cref="OAuthCleanupInterval"/> or <see cref="ContainerPorts"/> keeps the default (the flags have one; callers that build arguments directly may leave them out).
/// A null <see cref="LogFormat"/> leaves the console's format to the usual rule (text on a terminal, JSON otherwise).
/// </remarks>
internal sealed record GatewayArguments(
    string? ControlPlane, string? Port, string? GatewayId, string? InactivityTimeout, string? AutosaveInterval, string? OAuthCleanupInterval = null,
    string? ContainerPorts = null, string? LogFormat = null, string? RoomMessageMaxBytes = null, string? RoomUpdatesPerSecond = null, string? RoomConnections = null, string? Rooms = null,
    string? RoomSaveDelay = null, string? RoomSaveMaxDelay = null, string? RoomIdleUnload = null);
