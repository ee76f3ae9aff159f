namespace Demiurge.Tests.Infrastructure;

/// <summary>
/// Worker port ranges for test control planes, distinct within a test run, so that concurrent
/// tests do not take each other's gateway ports.
/// </summary>
public static class PortBlocks
{
    private const int Size = 40;
    private static int s_next = 20000 + (Environment.ProcessId % 500 * Size);

    /// <summary>A <c>first-last</c> range of <see cref="Size"/> ports.</summary>
    public static string Next()
    {
        var first = Interlocked.Add(ref s_next, Size) % 40000 + 20000;
        return $"{first}-{first + Size - 1}";
    }
}
