namespace Recorder.Core.Formats;

/// <summary>
/// One capture interface of a file: a classic pcap file has exactly one, a pcapng file one per
/// Interface Description Block.
/// </summary>
/// <param name="LinkType">The LINKTYPE_ value.</param>
/// <param name="SnapLength">The snapshot length the file declared (0 = no limit).</param>
/// <param name="TimestampResolution">The <c>if_tsresol</c> code.</param>
/// <param name="TimestampOffsetSeconds">The <c>if_tsoffset</c> value.</param>
/// <param name="Name">The <c>if_name</c> option, if any.</param>
/// <param name="Description">The <c>if_description</c> option, if any.</param>
/// <param name="FcsLength">
/// Bytes of frame check sequence at the end of every packet when the file says so (a classic pcap
/// header's F bit and FCS field); null when the file does not say.
/// </param>
public sealed record CaptureInterface(
    int LinkType,
    uint SnapLength,
    byte TimestampResolution,
    long TimestampOffsetSeconds,
    string? Name = null,
    string? Description = null,
    int? FcsLength = null);
