using Recorder.Core.Formats;
using Recorder.Core.Indexing;
using Recorder.Core.Packets;
using Recorder.Storage.Store;

namespace Recorder.Storage.Segments;

/// <summary>
/// Writes one open segment: a little-endian pcapng file with one section, the interface description
/// blocks of one link type up front, then enhanced packet blocks. Packets are encoded straight into
/// the buffers of a <see cref="WriteBehindFile"/>, which writes and hashes full ones on a background
/// task while the next one fills, so hashing and I/O overlap parsing. The index data is built as
/// packets arrive.
/// </summary>
public sealed class SegmentWriter : IDisposable
{
    private readonly WriteBehindFile _file;
    private readonly SegmentIndexBuilder _index;
    private bool _finished;

    /// <summary>
    /// Creates the file (it must not exist) and writes the section header and interfaces. The index
    /// state held in memory is bounded by <paramref name="indexMemoryBytes"/>.
    /// </summary>
    public SegmentWriter(string path, IReadOnlyList<CaptureInterface> interfaces, string application, DateTimeOffset openedAt,
        long indexMemoryBytes = SegmentIndexBuilder.DefaultMemoryLimit)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        if (interfaces.Count == 0 || interfaces.Any(i => i.LinkType != interfaces[0].LinkType))
        {
            throw new ArgumentException("a segment holds one or more interfaces of a single link type", nameof(interfaces));
        }

        Path = path;
        Interfaces = interfaces;
        LinkType = interfaces[0].LinkType;
        OpenedAt = openedAt;
        _file = new WriteBehindFile(path);

        // The index state spills beside the segment (PATH.index, runs PATH.index.run-N), so a full
        // segment's flows and positions never all sit in memory (see SegmentIndexBuilder).
        _index = new SegmentIndexBuilder(IndexPath(path), indexMemoryBytes);
        _file.Write(PcapngBlocks.SectionHeader(application));
        foreach (var captureInterface in interfaces)
        {
            // Snap length 0 ("no limit") so readers never clip a stored packet (see docs/segment-format.md).
            _file.Write(PcapngBlocks.InterfaceDescription(captureInterface, 0));
        }
    }

    /// <summary>The file being written.</summary>
    public string Path { get; }

    /// <summary>Where the index data of the segment at <paramref name="segmentPath"/> is spilled, and kept once finished.</summary>
    public static string IndexPath(string segmentPath) => System.IO.Path.ChangeExtension(segmentPath, ".index");

    /// <summary>The link type of every packet in the segment.</summary>
    public int LinkType { get; }

    /// <summary>The interfaces described at the start of the file.</summary>
    public IReadOnlyList<CaptureInterface> Interfaces { get; }

    /// <summary>When the segment was opened (for the age limit).</summary>
    public DateTimeOffset OpenedAt { get; }

    /// <summary>Bytes in the segment so far (written or buffered).</summary>
    public long Length => _file.Length;

    /// <summary>Packets so far.</summary>
    public long Packets { get; private set; }

    /// <summary>Sum of captured lengths.</summary>
    public long PacketBytes { get; private set; }

    /// <summary>Sum of original lengths.</summary>
    public long OriginalBytes { get; private set; }

    /// <summary>Earliest timestamp (ns).</summary>
    public long FirstNanoseconds { get; private set; } = long.MaxValue;

    /// <summary>Latest timestamp (ns).</summary>
    public long LastNanoseconds { get; private set; } = long.MinValue;

    /// <summary>Appends one packet of interface <paramref name="interfaceId"/> (an index into <see cref="Interfaces"/>).</summary>
    public void Append(uint interfaceId, ulong ticks, long nanoseconds, uint originalLength, ReadOnlySpan<byte> data, in FlowKey flow)
    {
        var size = PcapngBlocks.EnhancedPacketSize(data.Length);
        var offset = Length;
        PcapngBlocks.WriteEnhancedPacket(_file.GetSpan(size), interfaceId, ticks, originalLength, data);
        _file.Advance(size);
        _index.Add(flow, offset, Length, nanoseconds, data.Length);
        Packets++;
        PacketBytes += data.Length;
        OriginalBytes += originalLength;
        if (nanoseconds < FirstNanoseconds)
        {
            FirstNanoseconds = nanoseconds;
        }

        if (nanoseconds > LastNanoseconds)
        {
            LastNanoseconds = nanoseconds;
        }
    }

    /// <summary>Hands everything buffered to the operating system (not yet to the disk).</summary>
    public void FlushToOperatingSystem() => _file.FlushToOperatingSystem();

    /// <summary>
    /// Writes everything, flushes the file to disk and returns what sealing needs. The writer can
    /// take no more packets afterwards.
    /// </summary>
    public FinishedSegment Finish()
    {
        if (_finished)
        {
            throw new InvalidOperationException("segment already finished");
        }

        var sha = _file.Finish();
        _finished = true;
        return new FinishedSegment(Path, Length, sha, Packets, PacketBytes, OriginalBytes, LinkType, Interfaces,
            FirstNanoseconds, LastNanoseconds, _index.Finish());
    }

    /// <summary>Closes the file without finishing it (the caller deletes or recovers it), and deletes spilled index state.</summary>
    public void Dispose()
    {
        _file.Dispose();
        _index.Dispose();
    }
}

/// <summary>A segment file fully written and flushed to disk, not yet sealed.</summary>
/// <param name="Path">The file.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">Its SHA-256.</param>
/// <param name="Packets">Packets in it.</param>
/// <param name="PacketBytes">Sum of captured lengths.</param>
/// <param name="OriginalBytes">Sum of original lengths.</param>
/// <param name="LinkType">The link type.</param>
/// <param name="Interfaces">The interfaces described in it.</param>
/// <param name="FirstNanoseconds">Earliest timestamp.</param>
/// <param name="LastNanoseconds">Latest timestamp.</param>
/// <param name="Index">
/// The index data built while writing: in memory, or a <see cref="SegmentIndexFile"/> beside the
/// segment that whoever indexes the segment disposes (deleting the file).
/// </param>
/// <param name="Format">The file's format (pcapng unless an imported classic pcap is kept verbatim).</param>
public sealed record FinishedSegment(
    string Path,
    long Bytes,
    string Sha256,
    long Packets,
    long PacketBytes,
    long OriginalBytes,
    int LinkType,
    IReadOnlyList<CaptureInterface> Interfaces,
    long FirstNanoseconds,
    long LastNanoseconds,
    ISegmentIndexSource Index,
    CaptureFileFormat Format = CaptureFileFormat.Pcapng);
