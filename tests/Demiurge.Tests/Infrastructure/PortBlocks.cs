namespace Demiurge.Tests.Infrastructure;

/// <summary>
/// Worker port ranges for test control planes, distinct within a test run, so that concurrent
/// tests do not take each other's gateway ports.
/// </summary>
/// <remarks>
/// The blocks lie in 10000-19999: below the default container ports (20000-29999), which a
/// control plane refuses to overlap with its pool, and below Linux's ephemeral range
/// (32768-60999). A pool port inside the ephemeral range may be held by any outgoing connection
/// of the busy test run; the worker given it then fails to bind and exits, which made the pool
/// tests flaky.
/// </remarks>
public static class PortBlocks
{
    private const int Size = 40;
    private const int First = 10000;
    private const int Count = 10000 / Size;
    private static int s_next = Environment.ProcessId % Count;

    /// <summary>A <c>first-last</c> range of <see cref="Size"/> ports.</summary>
    public static string Next()
    {
        var first = First + (Interlocked.Increment(ref s_next) % Count * Size);
        return $"{first}-{first + Size - 1}";
    }
}
