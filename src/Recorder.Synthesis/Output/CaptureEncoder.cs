using System.Buffers.Binary;
using Recorder.Core.Formats;
using Recorder.Synthesis.Packets;

namespace Recorder.Synthesis.Output;

/// <summary>
/// Writes records straight into a large buffer and hands full buffers to the stream, so a capture of
/// any size streams through bounded memory. Frames are built in place: <see cref="FrameSpace"/> is
/// the spot right after the record header, <see cref="Commit"/> writes the header around it.
/// Classic pcap (micro- or nanosecond magic, little-endian, one link type) or pcapng (one section,
/// one interface per link type, enhanced packet blocks without options).
/// </summary>
internal sealed class CaptureEncoder
{
    /// <summary>The snapshot length declared: Recorder's largest record.</summary>
    public const uint SnapLength = CaptureFileReader.MaxRecordLength;

    /// <summary>Written as the section header's <c>shb_userappl</c>; changing it changes the output.</summary>
    public const string Application = "Recorder.Synthesis";

    private const int BufferSize = 1 << 20;
    private const int PcapRecordHeader = 16;
    private const int EnhancedPacketHeader = 28;

    private readonly Stream _output;
    private readonly bool _pcapng;
    private readonly bool _nanoseconds;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _used;

    public CaptureEncoder(Stream output, CaptureFileFormat format, SynthesisTimestampResolution resolution, IReadOnlyList<int> linkTypes)
    {
        _output = output;
        _pcapng = format == CaptureFileFormat.Pcapng;
        _nanoseconds = resolution == SynthesisTimestampResolution.Nanoseconds;
        var header = FileHeader(format, resolution, linkTypes);
        header.CopyTo(_buffer, 0);
        _used = header.Length;
        BytesWritten = header.Length;
    }

    /// <summary>Bytes produced so far (buffered or written).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Where the next frame goes; valid until <see cref="Commit"/>.</summary>
    public Span<byte> FrameSpace
    {
        get
        {
            if (_buffer.Length - _used < PacketBuilder.MaximumFrameLength + 64)
            {
                Flush();
            }

            var offset = _used + (_pcapng ? EnhancedPacketHeader : PcapRecordHeader);
            return _buffer.AsSpan(offset, PacketBuilder.MaximumFrameLength);
        }
    }

    /// <summary>The file header: pcap global header, or section header plus interface descriptions.</summary>
    public static byte[] FileHeader(CaptureFileFormat format, SynthesisTimestampResolution resolution, IReadOnlyList<int> linkTypes)
    {
        ArgumentNullException.ThrowIfNull(linkTypes);
        if (format == CaptureFileFormat.Pcap)
        {
            var header = new byte[24];
            BinaryPrimitives.WriteUInt32LittleEndian(header, resolution == SynthesisTimestampResolution.Nanoseconds ? 0xA1B23C4DU : 0xA1B2C3D4U);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 2);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 4);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), SnapLength);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), (uint)linkTypes[0]);
            return header;
        }

        using var blocks = new MemoryStream();
        blocks.Write(PcapngBlocks.SectionHeader(Application));
        for (var i = 0; i < linkTypes.Count; i++)
        {
            var captureInterface = new CaptureInterface(linkTypes[i], SnapLength, (byte)resolution, 0, InterfaceName(linkTypes[i]));
            blocks.Write(PcapngBlocks.InterfaceDescription(captureInterface, SnapLength));
        }

        return blocks.ToArray();
    }

    /// <summary>Bytes a record of a <paramref name="frameLength"/>-byte frame takes in the file.</summary>
    public static int RecordLength(CaptureFileFormat format, int frameLength) =>
        format == CaptureFileFormat.Pcapng ? PcapngBlocks.EnhancedPacketSize(frameLength) : PcapRecordHeader + frameLength;

    /// <summary>Writes the record header for the frame just built in <see cref="FrameSpace"/>.</summary>
    public void Commit(int interfaceId, long timestampNs, int frameLength)
    {
        var record = _buffer.AsSpan(_used);
        var ticks = _nanoseconds ? (ulong)timestampNs : (ulong)(timestampNs / 1_000);
        if (_pcapng)
        {
            var total = PcapngBlocks.EnhancedPacketSize(frameLength);
            BinaryPrimitives.WriteUInt32LittleEndian(record, 6);
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)total);
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)interfaceId);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)(ticks >> 32));
            BinaryPrimitives.WriteUInt32LittleEndian(record[16..], unchecked((uint)ticks));
            BinaryPrimitives.WriteUInt32LittleEndian(record[20..], (uint)frameLength);
            BinaryPrimitives.WriteUInt32LittleEndian(record[24..], (uint)frameLength);
            record[(EnhancedPacketHeader + frameLength)..(total - 4)].Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(record[(total - 4)..], (uint)total);
            _used += total;
            BytesWritten += total;
        }
        else
        {
            var perSecond = _nanoseconds ? 1_000_000_000UL : 1_000_000UL;
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(ticks / perSecond));
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(ticks % perSecond));
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)frameLength);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)frameLength);
            _used += PcapRecordHeader + frameLength;
            BytesWritten += PcapRecordHeader + frameLength;
        }
    }

    /// <summary>Hands everything buffered to the stream.</summary>
    public void Flush()
    {
        if (_used > 0)
        {
            _output.Write(_buffer, 0, _used);
            _used = 0;
        }
    }

    private static string InterfaceName(int linkType) => linkType switch
    {
        Recorder.Core.Packets.LinkTypes.Ethernet => "synth-eth0",
        Recorder.Core.Packets.LinkTypes.Raw => "synth-raw0",
        Recorder.Core.Packets.LinkTypes.LinuxSll => "synth-any",
        _ => "synth",
    };
}
