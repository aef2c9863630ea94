namespace Recorder.Core.Formats;

/// <summary>
/// A capture file that cannot be read as pcap or pcapng. Carries the file and the byte offset of
/// the fault so the message can say exactly where.
/// </summary>
public sealed class CaptureFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CaptureFormatException(string file, long offset, string reason)
        : base($"{file}: offset {offset}: {reason}")
    {
        File = file;
        Offset = offset;
        Reason = reason;
    }

    /// <summary>Creates the exception (for serializers).</summary>
    public CaptureFormatException()
        : this("?", 0, "malformed capture")
    {
    }

    /// <summary>Creates the exception.</summary>
    public CaptureFormatException(string message)
        : this("?", 0, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CaptureFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = "?";
        Reason = message;
    }

    /// <summary>The file at fault.</summary>
    public string File { get; } = "?";

    /// <summary>The byte offset where the fault starts.</summary>
    public long Offset { get; }

    /// <summary>What is wrong there.</summary>
    public string Reason { get; } = string.Empty;
}
