using Demiurge.Gateways;
using Demiurge.Tests.Infrastructure;
using Demiurge.Yjs;

namespace Demiurge.Tests.Store;

/// <summary>Rooms' updates appended to the stored documents, merged when read, compacted, and fenced like every push.</summary>
public abstract partial class StoreContractTests
{
    private static readonly IReadOnlyDictionary<string, string> s_noDocuments = new Dictionary<string, string>();

    [Fact]
    public async Task OrganizationDataPushAsync_Updates_AppendedMergedWhenReadAndCompacted()
    {
        var (allocation, token) = await ServingAllocationAsync();
        var organization = allocation.OrganizationId;
        var project = await ProjectAsync(organization);
        var edits = Enumerable.Range(0, StoredDocuments.CompactAfterUpdates + 3).Select(i => TextUpdate(7, (ulong)i * 2, $"{(char)('a' + (i % 26))}{i % 10}")).ToList();

        // More pushes than the bound: the pushes compact on the way, the read merges what is left.
        for (var i = 0; i < edits.Count; i++)
        {
            var pushed = await Gateways.OrganizationDataPushAsync(organization, token, i, s_noDocuments,
                new Dictionary<string, string> { [project] = Convert.ToBase64String(edits[i]) }, null, Quota, Tick(), Ct);
            Assert.Equal((PushOutcome.Stored, (long)i + 1), (pushed.Outcome, pushed.Version));
        }

        var expected = Convert.ToBase64String(YUpdate.Merge([.. edits.Select(e => (ReadOnlyMemory<byte>)e)]));
        Assert.Equal(expected, (await Gateways.OrganizationDataGetAsync(organization, Ct)).Projects[project]);
        Assert.Equal(1, await Gateways.OrganizationDataCompactAsync(organization, Tick(), Ct));
        Assert.Equal(0, await Gateways.OrganizationDataCompactAsync(organization, Tick(), Ct));
        var compacted = await Gateways.OrganizationDataGetAsync(organization, Ct);
        Assert.Equal((expected, (long)edits.Count), (compacted.Projects[project], compacted.Version));

        // A document written whole replaces what was appended before it; an update after it is appended to it.
        var whole = Convert.ToBase64String(TextUpdate(9, 0, "whole"));
        var after = TextUpdate(9, 5, "!");
        Assert.Equal(PushOutcome.Stored, (await Gateways.OrganizationDataPushAsync(organization, token, edits.Count, new Dictionary<string, string> { [project] = whole },
            new Dictionary<string, string> { [project] = Convert.ToBase64String(after) }, null, Quota, Tick(), Ct)).Outcome);
        Assert.Equal(Convert.ToBase64String(YUpdate.Merge([Convert.FromBase64String(whole), after])),
            (await Gateways.OrganizationDataGetAsync(organization, Ct)).Projects[project]);
    }

    [Fact]
    public async Task OrganizationDataPushAsync_Updates_OverTheQuotaCompactedToFit_FencedAfterTheAllocationEnds()
    {
        var (allocation, token) = await ServingAllocationAsync();
        var organization = allocation.OrganizationId;
        var project = await ProjectAsync(organization);
        var (first, second) = (TextUpdate(7, 0, "ab"), TextUpdate(7, 2, "cd"));
        var merged = Convert.ToBase64String(YUpdate.Merge([first, second]));
        // The merged document fits the quota, the document and its appended update side by side do not.
        var quota = merged.Length;
        Assert.True(Convert.ToBase64String(first).Length + Convert.ToBase64String(second).Length > quota);

        Assert.Equal(PushOutcome.Stored, (await Gateways.OrganizationDataPushAsync(organization, token, 0, s_noDocuments, Updates(project, first), null, quota, Tick(), Ct)).Outcome);
        Assert.Equal(PushOutcome.Stored, (await Gateways.OrganizationDataPushAsync(organization, token, 1, s_noDocuments, Updates(project, second), null, quota, Tick(), Ct)).Outcome);
        var over = await Gateways.OrganizationDataPushAsync(organization, token, 2, s_noDocuments, Updates(project, TextUpdate(8, 0, new string('x', 40))), null, quota, Tick(), Ct);
        Assert.Equal((PushOutcome.QuotaExceeded, (long)quota), (over.Outcome, over.UsedBytes));
        Assert.Equal(merged, (await Gateways.OrganizationDataGetAsync(organization, Ct)).Projects[project]);

        // An update from a gateway whose allocation ended is refused: nothing of it is stored.
        Assert.True(await Gateways.AllocationEndAsync(allocation.AllocationId, "released", GatewayState.Ready, Tick(), NewEvent(GatewayEventKinds.AllocationReleased), Ct));
        var late = await Gateways.OrganizationDataPushAsync(organization, token, 2, s_noDocuments, Updates(project, TextUpdate(7, 4, "e")), null, Quota, Tick(), Ct);
        Assert.Equal(PushOutcome.Revoked, late.Outcome);
        var stored = await Gateways.OrganizationDataGetAsync(organization, Ct);
        Assert.Equal((merged, 2L), (stored.Projects[project], stored.Version));
    }

    private static Dictionary<string, string> Updates(string projectId, byte[] update) => new() { [projectId] = Convert.ToBase64String(update) };

    private static byte[] TextUpdate(ulong client, ulong clock, string text) => TestYjsUpdates.Text(client, clock, text);
}
