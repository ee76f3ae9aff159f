using System.Threading.Channels;
using Demiurge.Coordination;
using Demiurge.Reconciliation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Demiurge.Tests.Reconciliation;

/// <summary>
/// The scheduler with a leadership and a clock the test controls: terms begin with a resync,
/// changes pass at once, failures come back after their backoff, and a term that ends stops
/// its passes. The reconciler records its passes; nothing waits on the real clock.
/// </summary>
public sealed class ReconcileSchedulerTests : IAsyncDisposable
{
    private static readonly TimeSpan s_longResync = TimeSpan.FromHours(1);
    private static readonly TimeSpan s_step = TimeSpan.FromMilliseconds(100);

    private readonly FakeTimeProvider _time = new();
    private readonly TestLeadership _leadership = new();
    private readonly RecordingReconciler _reconciler = new();
    private readonly ReconcileSignal _signal = new();
    private ReconcileScheduler? _scheduler;

    [Fact]
    public async Task TermBegins_EveryListedIdIsReconciled_AfterTheReconcilerIsTold()
    {
        _reconciler.Ids = ["a", "b"];
        await StartAsync(s_longResync);

        _leadership.Lead();

        Assert.Equal(["a", "b"], new[] { await NextPassAsync(), await NextPassAsync() }.Order());
        Assert.Equal(1, _reconciler.TermsAtFirstPass);
    }

    [Fact]
    public async Task Enqueue_WhileLeading_PassesWithoutWaitingForTheResync()
    {
        await StartAsync(s_longResync);
        _leadership.Lead();
        await _reconciler.Listed.Reader.ReadAsync(TestContext.Current.CancellationToken);

        _signal.Enqueue(RecordingReconciler.KindName, "changed");

        Assert.Equal("changed", await NextPassAsync());
    }

    [Fact]
    public async Task Resync_AfterItsInterval_ReconcilesEveryIdAgain()
    {
        var interval = TimeSpan.FromMinutes(1);
        _reconciler.Ids = ["a"];
        await StartAsync(interval);
        _leadership.Lead();
        Assert.Equal("a", await NextPassAsync());

        var waited = await AdvanceUntilPassAsync(interval);

        Assert.Equal("a", await NextPassAsync());
        Assert.True(waited >= interval, $"resynced after {waited}");
    }

    [Fact]
    public async Task FailedPass_IsRetriedOnceItsBackoffHasPassed()
    {
        _reconciler.Ids = ["a"];
        _reconciler.Fail = 1;
        await StartAsync(s_longResync);
        _leadership.Lead();
        Assert.Equal("a", await NextPassAsync());

        var waited = await AdvanceUntilPassAsync(s_step);

        Assert.Equal("a", await NextPassAsync());
        Assert.True(waited >= ReconcileQueue.InitialBackoff, $"retried after {waited}");
    }

    [Fact]
    public async Task TermEnds_RunningPassIsCancelled_AndTheNextTermResyncs()
    {
        _reconciler.Ids = ["a"];
        _reconciler.Block = true;
        await StartAsync(s_longResync);
        _leadership.Lead();
        Assert.Equal("a", await NextPassAsync());

        _leadership.StepDown();
        await _reconciler.Cancelled.Reader.ReadAsync(TestContext.Current.CancellationToken);
        _reconciler.Block = false;
        _leadership.Lead();

        Assert.Equal("a", await NextPassAsync());
        Assert.Equal(2, _reconciler.Terms);
    }

    public async ValueTask DisposeAsync()
    {
        if (_scheduler is not null)
        {
            await _scheduler.StopAsync(CancellationToken.None);
            _scheduler.Dispose();
        }
    }

    private async Task StartAsync(TimeSpan resync)
    {
        _reconciler.ResyncInterval = resync;
        _scheduler = new ReconcileScheduler([_reconciler], _signal, _leadership, new StartedLifetime(), _time, NullLogger<ReconcileScheduler>.Instance);
        await _scheduler.StartAsync(CancellationToken.None);
    }

    // The timeout only stops a broken scheduler from hanging the run.
    private async Task<string> NextPassAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        return await _reconciler.Passes.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Moves the clock by <paramref name="step"/> until a pass is waiting, and says how far it moved.</summary>
    private async Task<TimeSpan> AdvanceUntilPassAsync(TimeSpan step)
    {
        var waited = TimeSpan.Zero;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (!_reconciler.Passes.Reader.TryPeek(out _))
        {
            _time.Advance(step);
            waited += step;
            await Task.Delay(10, timeout.Token);
        }

        return waited;
    }

    private sealed class RecordingReconciler : IReconciler
    {
        public const string KindName = "thing";

        public Channel<string> Passes { get; } = Channel.CreateUnbounded<string>();

        public Channel<string> Listed { get; } = Channel.CreateUnbounded<string>();

        public Channel<string> Cancelled { get; } = Channel.CreateUnbounded<string>();

        public IReadOnlyCollection<string> Ids { get; set; } = [];

        /// <summary>Passes still to fail.</summary>
        public int Fail { get; set; }

        /// <summary>Whether a pass waits until its term ends.</summary>
        public bool Block { get; set; }

        public int Terms { get; private set; }

        public int TermsAtFirstPass { get; private set; }

        public string Kind => KindName;

        public TimeSpan ResyncInterval { get; set; }

        public Task<IReadOnlyCollection<string>> ListAsync(CancellationToken cancellationToken)
        {
            Listed.Writer.TryWrite("listed");
            return Task.FromResult(Ids);
        }

        public async Task ReconcileAsync(string id, CancellationToken cancellationToken)
        {
            TermsAtFirstPass = TermsAtFirstPass == 0 ? Terms : TermsAtFirstPass;
            Passes.Writer.TryWrite(id);
            if (Fail > 0)
            {
                Fail--;
                throw new InvalidOperationException("failing as told");
            }

            if (Block)
            {
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                }
                finally
                {
                    Cancelled.Writer.TryWrite(id);
                }
            }
        }

        public void BeginTerm() => Terms++;
    }

    /// <summary>Terms that begin and end when the test says.</summary>
    private sealed class TestLeadership : ILeadership
    {
        private readonly Lock _lock = new();
        private TaskCompletionSource<CancellationToken> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private CancellationTokenSource? _term;

        public bool IsLeader
        {
            get
            {
                lock (_lock)
                {
                    return _term is not null;
                }
            }
        }

        public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                return _next.Task.WaitAsync(cancellationToken);
            }
        }

        public void Lead()
        {
            lock (_lock)
            {
                _term = new CancellationTokenSource();
                _next.SetResult(_term.Token);
            }
        }

        public void StepDown()
        {
            CancellationTokenSource term;
            lock (_lock)
            {
                term = _term!;
                _term = null;
                _next = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            term.Cancel();
        }
    }

    private sealed class StartedLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted { get; } = new(canceled: true);

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
