using System.Text.Json;
using System.Text.Json.Serialization;

namespace Demiurge.GatewayProcess;

/// <summary>An organization's data as pulled and pushed: per-project documents (base64) and the gateway's own state.</summary>
internal sealed record DataPayload(
    IReadOnlyDictionary<string, string>? YjsState = null,
    // Absent means "keep the stored one"; this gateway never asks the control plane to erase it.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? GatewayState = null);
