using System.Globalization;

namespace Demiurge.Protocol;

/// <summary>
/// The room limits the control plane hands the workers it launches, as their flags
/// (<see cref="WorkerFlags.RoomMessageMaxBytes"/> and the others); docs/rooms.md says what each does.
/// </summary>
internal sealed record WorkerRoomLimits(
    long MessageMaxBytes, int UpdatesPerSecond, int ConnectionsPerRoom, int RoomsPerGateway, TimeSpan SaveDelay, TimeSpan SaveMaxDelay, TimeSpan IdleUnload)
{
    /// <summary>The worker's flags for these limits.</summary>
    public IReadOnlyList<string> Arguments =>
    [
        WorkerFlags.RoomMessageMaxBytes, MessageMaxBytes.ToString(CultureInfo.InvariantCulture),
        WorkerFlags.RoomUpdatesPerSecond, UpdatesPerSecond.ToString(CultureInfo.InvariantCulture),
        WorkerFlags.RoomConnections, ConnectionsPerRoom.ToString(CultureInfo.InvariantCulture),
        WorkerFlags.Rooms, RoomsPerGateway.ToString(CultureInfo.InvariantCulture),
        WorkerFlags.RoomSaveDelay, Common.Durations.Format(SaveDelay),
        WorkerFlags.RoomSaveMaxDelay, Common.Durations.Format(SaveMaxDelay),
        WorkerFlags.RoomIdleUnload, Common.Durations.Format(IdleUnload),
    ];
}
