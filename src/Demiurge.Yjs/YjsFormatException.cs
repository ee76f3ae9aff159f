namespace Demiurge.Yjs;

/// <summary>
/// Thrown when bytes are not a well-formed lib0 value, Yjs update or state vector:
/// truncated input, a length larger than what remains, an unknown tag or an integer out of range.
/// </summary>
public sealed class YjsFormatException : FormatException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public YjsFormatException()
        : base("Malformed Yjs data.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public YjsFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public YjsFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
