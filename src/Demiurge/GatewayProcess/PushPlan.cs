using System.Text.Json;

namespace Demiurge.GatewayProcess;

/// <summary>
/// Splits what a worker has unsaved into pushes that each fit the control plane's body limit,
/// so that much unsaved data is saved in several pushes rather than refused whole. The gateway
/// state goes in the first push. A document that is alone larger than a push can never be
/// saved: it is set apart, so that it holds back nothing else.
/// </summary>
internal static class PushPlan
{
    /// <summary>Room kept in every push for all that is not a document: organization id, version, field names, the JSON's punctuation.</summary>
    public const long EnvelopeBytes = 4 * 1024;

    public static (List<PushBatch> Batches, List<UnsavedDocument> TooLarge) Create(IReadOnlyList<UnsavedDocument> documents, JsonElement? gatewayState, long limitBytes)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var budget = limitBytes - EnvelopeBytes;
        var batches = new List<PushBatch>();
        var tooLarge = new List<UnsavedDocument>();
        var current = new List<UnsavedDocument>();
        var withGatewayState = gatewayState is not null;
        var used = gatewayState is { } state ? ControlPlaneClient.JsonSize(state) : 0;
        foreach (var document in documents)
        {
            // "id":"content" in yjs_state and "id":"update" in yjs_updates, with the escapes this client writes.
            var size = Entry(document.ProjectId, document.Content) + Entry(document.ProjectId, document.Update);
            if (size > budget)
            {
                tooLarge.Add(document);
                continue;
            }

            if (used + size > budget && (current.Count > 0 || withGatewayState))
            {
                batches.Add(new PushBatch(current, withGatewayState));
                (current, used, withGatewayState) = ([], 0, false);
            }

            current.Add(document);
            used += size;
        }

        if (current.Count > 0 || withGatewayState)
        {
            batches.Add(new PushBatch(current, withGatewayState));
        }

        return (batches, tooLarge);
    }

    private static long Entry(string projectId, string? value) =>
        value is null ? 0 : ControlPlaneClient.JsonSize(projectId) + ControlPlaneClient.JsonSize(value) + 2;
}
