using System.Text.Json;

namespace Demiurge.Protocol;

/// <summary>An organization's data as pulled and pushed: per-project documents and the gateway's own state.</summary>
public sealed record OrganizationDataPayload
{
    /// <summary>Project id → base64 document. In a push, projects not listed are kept as they are.</summary>
    public IReadOnlyDictionary<string, string>? YjsState { get; init; }

    /// <summary>
    /// Push only: project id → base64 Yjs update, appended to the project's stored document (after
    /// its <see cref="YjsState"/> in the same push, if any) and merged into it by the control plane.
    /// A room's edits since the last push, so that a push carries what changed, not whole documents.
    /// </summary>
    public IReadOnlyDictionary<string, string>? YjsUpdates { get; init; }

    /// <summary>
    /// The gateway managers' state (permissions, OAuth, container tokens): opaque to the control
    /// plane, which stores it as it comes. In a push, absent or null keeps the stored one.
    /// </summary>
    public JsonElement? GatewayState { get; init; }
}
