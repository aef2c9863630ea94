namespace Recorder.Core.Formats;

/// <summary>The container formats Recorder reads and writes.</summary>
public enum CaptureFileFormat
{
    /// <summary>Classic libpcap format (micro- or nanosecond magic, either byte order).</summary>
    Pcap,

    /// <summary>pcapng (IETF draft-ietf-opsawg-pcapng).</summary>
    Pcapng,
}

/// <summary>Where and how a file's last record was cut off.</summary>
/// <param name="Offset">Offset of the incomplete record.</param>
/// <param name="AvailableBytes">Bytes present from that offset to the end of the file.</param>
/// <param name="ExpectedBytes">Bytes the record's header announced (0 when even the header is cut).</param>
public sealed record TruncatedTail(long Offset, long AvailableBytes, long ExpectedBytes);
