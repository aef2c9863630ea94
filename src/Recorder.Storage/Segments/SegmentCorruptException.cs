namespace Recorder.Storage.Segments;

/// <summary>A sealed segment whose bytes do not follow the segment format, with where.</summary>
public sealed class SegmentCorruptException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SegmentCorruptException(string path, long offset, string reason)
        : base($"{path}: offset {offset}: {reason}")
    {
        SegmentPath = path;
        Offset = offset;
        Reason = reason;
    }

    /// <summary>Creates the exception.</summary>
    public SegmentCorruptException()
        : this("?", 0, "corrupt segment")
    {
    }

    /// <summary>Creates the exception.</summary>
    public SegmentCorruptException(string message)
        : this("?", 0, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SegmentCorruptException(string message, Exception innerException)
        : base(message, innerException)
    {
        SegmentPath = "?";
        Reason = message;
    }

    /// <summary>The segment file.</summary>
    public string SegmentPath { get; } = "?";

    /// <summary>Where the problem starts.</summary>
    public long Offset { get; }

    /// <summary>What is wrong.</summary>
    public string Reason { get; } = string.Empty;
}
