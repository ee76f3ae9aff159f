using System.Text.Json;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>One call the gateway made to the fake control plane, and how it was answered.</summary>
public sealed record RecordedCall(string Path, string? Bearer, JsonElement Body, int Status, DateTimeOffset At);
