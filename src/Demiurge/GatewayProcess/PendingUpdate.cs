namespace Demiurge.GatewayProcess;

/// <summary>A room's Yjs update waiting for a push: the write that made it, and when (UTC ticks), for the rooms' save cadence.</summary>
internal readonly record struct PendingUpdate(byte[] Update, long Write, long AtTicks);
