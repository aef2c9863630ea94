namespace Recorder.Core.Formats;

/// <summary>
/// One packet record as read from a capture file. <see cref="Data"/> points into the reader's
/// buffer and is valid only until the next read.
/// </summary>
public readonly ref struct CapturedPacket
{
    /// <summary>Creates a packet view.</summary>
    public CapturedPacket(int interfaceIndex, CaptureInterface captureInterface, ulong timestampTicks, long timestampNanoseconds,
        uint originalLength, ReadOnlySpan<byte> data, long fileOffset)
    {
        InterfaceIndex = interfaceIndex;
        Interface = captureInterface;
        TimestampTicks = timestampTicks;
        TimestampNanoseconds = timestampNanoseconds;
        OriginalLength = originalLength;
        Data = data;
        FileOffset = fileOffset;
    }

    /// <summary>Index of the interface among all interfaces of the file (across pcapng sections).</summary>
    public int InterfaceIndex { get; }

    /// <summary>The interface the packet was captured on.</summary>
    public CaptureInterface Interface { get; }

    /// <summary>The link type of the packet.</summary>
    public int LinkType => Interface.LinkType;

    /// <summary>The timestamp exactly as stored, in units of the interface's resolution.</summary>
    public ulong TimestampTicks { get; }

    /// <summary>The timestamp in nanoseconds since the epoch.</summary>
    public long TimestampNanoseconds { get; }

    /// <summary>The packet's length on the wire.</summary>
    public uint OriginalLength { get; }

    /// <summary>The captured bytes.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>Offset of the record (pcap record header or pcapng block) in the file.</summary>
    public long FileOffset { get; }
}
