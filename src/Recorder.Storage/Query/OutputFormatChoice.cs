namespace Recorder.Storage.Query;

/// <summary>What a query output file's format may be.</summary>
public enum OutputFormatChoice
{
    /// <summary>
    /// Classic nanosecond pcap while every packet shares one link type and fits its 32-bit seconds,
    /// pcapng as soon as one does not (the file written so far is converted).
    /// </summary>
    Automatic,

    /// <summary>
    /// Classic pcap only: an answer that classic pcap cannot hold (a second link type, a timestamp
    /// outside 1970–2106) fails with <see cref="OutputFormatException"/> rather than becoming pcapng.
    /// </summary>
    Pcap,

    /// <summary>Always pcapng.</summary>
    Pcapng,
}
