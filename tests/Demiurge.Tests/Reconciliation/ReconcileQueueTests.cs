using Demiurge.Reconciliation;
using Microsoft.Extensions.Time.Testing;

namespace Demiurge.Tests.Reconciliation;

/// <summary>The queue on a clock the test moves: deduplication, backoff, and resyncs that leave a backing-off key alone.</summary>
public sealed class ReconcileQueueTests
{
    private static readonly ReconcileKey s_key = new("gateway", "g1");
    private static readonly ReconcileKey s_marker = new("gateway", "marker");

    private static readonly HashSet<string> s_kinds = ["gateway"];

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Enqueue_SameKeyTwice_IsTakenOnce()
    {
        using var queue = new ReconcileQueue(_time, s_kinds);

        queue.Enqueue(s_key);
        queue.Enqueue(s_key);
        queue.Enqueue(s_marker);

        Assert.Equal(s_key, await TakeAsync(queue));
        Assert.Equal(s_marker, await TakeAsync(queue));
    }

    [Fact]
    public async Task Enqueue_WhileItsPassRuns_IsTakenOnceAgainWhenThePassEnds()
    {
        using var queue = new ReconcileQueue(_time, s_kinds);
        queue.Enqueue(s_key);
        Assert.Equal(s_key, await TakeAsync(queue));

        queue.Enqueue(s_key);
        queue.Enqueue(s_key);
        queue.Enqueue(s_marker);
        Assert.Equal(s_marker, await TakeAsync(queue));
        queue.Succeeded(s_marker);
        queue.Succeeded(s_key);

        Assert.Equal(s_key, await TakeAsync(queue));
        queue.Succeeded(s_key);
        queue.Enqueue(s_marker);
        Assert.Equal(s_marker, await TakeAsync(queue));
    }

    [Fact]
    public void Enqueue_KindNoReconcilerHandles_Throws()
    {
        using var queue = new ReconcileQueue(_time, s_kinds);

        Assert.Throws<ArgumentException>(() => queue.Enqueue(new ReconcileKey("no-such-kind", "x")));
    }

    [Theory]
    [InlineData(1, 500)]
    [InlineData(2, 1_000)]
    [InlineData(4, 4_000)]
    [InlineData(7, 30_000)]
    [InlineData(100, 30_000)]
    public void Backoff_FailuresInARow_DoublesUpToTheMaximum(int failures, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ReconcileQueue.Backoff(failures));

    [Fact]
    public async Task Failed_KeyComesBackOnlyOnceItsBackoffHasPassed_AndResyncsWait()
    {
        using var queue = new ReconcileQueue(_time, s_kinds);
        queue.Enqueue(s_key);
        await TakeAsync(queue);

        var delay = queue.Failed(s_key);
        Assert.InRange(delay, ReconcileQueue.InitialBackoff, ReconcileQueue.InitialBackoff * (1 + ReconcileQueue.JitterFactor));

        _time.Advance(ReconcileQueue.InitialBackoff - TimeSpan.FromMilliseconds(1));
        queue.Resync(s_key);
        queue.Enqueue(s_marker);
        Assert.Equal(s_marker, await TakeAsync(queue));
        queue.Succeeded(s_marker);

        _time.Advance(delay);
        Assert.Equal(s_key, await TakeAsync(queue));
    }

    [Fact]
    public async Task Failed_InARow_WaitsLongerEachTime_UntilAPassSucceeds()
    {
        using var queue = new ReconcileQueue(_time, s_kinds);
        var first = await FailAsync(queue);
        _time.Advance(first);
        var second = await FailAsync(queue, enqueue: false);
        Assert.True(second >= ReconcileQueue.Backoff(2), $"{second} after two failures");
        _time.Advance(second);

        await TakeAsync(queue);
        queue.Succeeded(s_key);
        var afterSuccess = await FailAsync(queue);

        Assert.True(afterSuccess < ReconcileQueue.Backoff(2), $"{afterSuccess} after a success");
    }

    [Fact]
    public async Task Dispose_PendingRetry_NeverComesBack()
    {
        var queue = new ReconcileQueue(_time, s_kinds);
        var delay = await FailAsync(queue);

        queue.Dispose();
        _time.Advance(delay * 2);
        queue.Enqueue(s_marker);

        await Assert.ThrowsAsync<System.Threading.Channels.ChannelClosedException>(async () => await queue.TakeAsync(CancellationToken.None));
    }

    private static async Task<TimeSpan> FailAsync(ReconcileQueue queue, bool enqueue = true)
    {
        if (enqueue)
        {
            queue.Enqueue(s_key);
        }

        Assert.Equal(s_key, await TakeAsync(queue));
        return queue.Failed(s_key);
    }

    // The timeout only stops a broken queue from hanging the run; nothing waits on the clock.
    private static async Task<ReconcileKey> TakeAsync(ReconcileQueue queue)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await queue.TakeAsync(timeout.Token);
    }
}
