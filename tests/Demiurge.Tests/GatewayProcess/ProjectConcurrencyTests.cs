using System.Net;
using Demiurge.GatewayProcess;
using Demiurge.Protocol;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>
/// Each project's document has a lock of its own: one project's traffic never waits on another
/// project's, nor on a push on the wire. Deterministic: a held lock or a held answer, never a timer.
/// </summary>
public sealed class ProjectConcurrencyTests
{
    private const string ProjectA = GatewayHarness.ProjectA;
    private const string ProjectB = GatewayHarness.ProjectB;

    [Fact]
    public async Task PutState_AnotherProjectsDocumentLocked_CompletesWhileThatProjectsWriteWaits()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        await gateway.ServeAsync(Guid.CreateVersion7().ToString());
        using (var first = await gateway.PutStateAsync(ProjectA, "YQ=="))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        Assert.True(gateway.Worker.TryWithSession((session, _) => session.Document(ProjectA), out var documentA));
        using var holding = new DocumentHolder(documentA!);

        var writeA = gateway.PutStateAsync(ProjectA, "YWE=");
        using (var writeB = await gateway.PutStateAsync(ProjectB, "Yg=="))
        {
            Assert.Equal(HttpStatusCode.NoContent, writeB.StatusCode);
        }

        Assert.Equal("Yg==", await gateway.GetStateAsync(ProjectB));
        Assert.False(writeA.IsCompleted, "project A's write went through while its document was locked");

        holding.Release();
        using var answerA = await writeA;
        Assert.Equal(HttpStatusCode.NoContent, answerA.StatusCode);
        Assert.Equal("YWE=", await gateway.GetStateAsync(ProjectA));
    }

    [Fact]
    public async Task PutState_WhileAnAutosaveIsOnTheWire_CompletesAndStaysUnsavedForTheNextPush()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        await gateway.ServeAsync(Guid.CreateVersion7().ToString());
        using (await gateway.PutStateAsync(ProjectA, "YQ=="))
        {
        }

        var held = gateway.ControlPlane.Hold(GatewayPaths.DataPush);
        var tick = gateway.TickAsync();
        await GatewayHarness.WaitUntilAsync(() => gateway.ControlPlane.Arrivals(GatewayPaths.DataPush) == 1, "the autosave to reach the control plane");
        using (var during = await gateway.PutStateAsync(ProjectA, "YWE="))
        {
            Assert.Equal(HttpStatusCode.NoContent, during.StatusCode);
        }

        held.SetResult();
        await tick;
        Assert.Equal("YQ==", gateway.ControlPlane.Data(gateway.Worker.Snapshot().OrganizationId!)!.Projects[ProjectA]);
        Assert.True((await gateway.ActivityAsync()).GetProperty("dirty").GetBoolean());
        await gateway.TickAsync();
        Assert.Equal("YWE=", gateway.ControlPlane.Data(gateway.Worker.Snapshot().OrganizationId!)!.Projects[ProjectA]);
    }

    /// <summary>Holds a document's lock on a thread of its own until released, as a long merge would.</summary>
    private sealed class DocumentHolder : IDisposable
    {
        private readonly ManualResetEventSlim _held = new();
        private readonly ManualResetEventSlim _release = new();
        private readonly Thread _thread;

        public DocumentHolder(ProjectDocument document)
        {
            _thread = new Thread(() =>
            {
                lock (document.Gate)
                {
                    _held.Set();
                    _release.Wait();
                }
            });
            _thread.Start();
            _held.Wait();
        }

        public void Release()
        {
            _release.Set();
            _thread.Join();
        }

        public void Dispose()
        {
            _release.Set();
            _held.Dispose();
            _release.Dispose();
        }
    }
}
