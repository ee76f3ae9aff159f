namespace Demiurge.Tests.Infrastructure;

/// <summary>
/// Worker port ranges for test control planes, distinct within a test run, so that concurrent
/// tests do not take each other's gateway ports.
/// </summary>
public static class PortBlocks
{
    private const int Size = 40;
    // Above the default container ports (20000-29999), which a control plane refuses to overlap with its pool.
    private static int s_next = 30000 + (Environment.ProcessId % 500 * Size);

    /// <summary>A <c>first-last</c> range of <see cref="Size"/> ports.</summary>
    public static string Next()
    {
        var first = Interlocked.Add(ref s_next, Size) % 30000 + 30000;
        return $"{first}-{first + Size - 1}";
    }
}
