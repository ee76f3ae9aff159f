namespace Demiurge.Cli;

/// <summary>Process exit codes, after BSD sysexits where one fits.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The API answered with an error (the problem is printed).</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong (the parser printed why).</summary>
    public const int Usage = 64;

    /// <summary>The server could not be reached.</summary>
    public const int Unavailable = 69;

    /// <summary>The settings are invalid (every problem is printed).</summary>
    public const int InvalidConfiguration = 78;
}
