using System.Buffers.Binary;
using System.Text;
using System.IO.MemoryMappedFiles;
using Recorder.Core.Formats;

namespace Recorder.Storage.Segments;

/// <summary>One packet read from a segment; <see cref="Data"/> is valid until the next read.</summary>
public readonly ref struct SegmentPacket
{
    /// <summary>Creates the view.</summary>
    public SegmentPacket(long offset, long endOffset, int interfaceId, int linkType, ulong ticks, long nanoseconds, uint originalLength, ReadOnlySpan<byte> data)
    {
        Offset = offset;
        EndOffset = endOffset;
        InterfaceId = interfaceId;
        LinkType = linkType;
        Ticks = ticks;
        Nanoseconds = nanoseconds;
        OriginalLength = originalLength;
        Data = data;
    }

    /// <summary>Offset of the packet's block.</summary>
    public long Offset { get; }

    /// <summary>Offset just past the block.</summary>
    public long EndOffset { get; }

    /// <summary>The interface id within the segment.</summary>
    public int InterfaceId { get; }

    /// <summary>The link type.</summary>
    public int LinkType { get; }

    /// <summary>Timestamp as stored.</summary>
    public ulong Ticks { get; }

    /// <summary>Timestamp in nanoseconds since the epoch.</summary>
    public long Nanoseconds { get; }

    /// <summary>Length on the wire.</summary>
    public uint OriginalLength { get; }

    /// <summary>Captured bytes.</summary>
    public ReadOnlySpan<byte> Data { get; }
}

/// <summary>
/// Reads a segment file: one written by <see cref="SegmentWriter"/> (pcapng: the section header and
/// interface blocks once, then packet blocks) or an imported classic pcap file kept verbatim (its
/// header, then records, in either byte order). Packets are read by offset (for index hits) or in
/// sequence (for scans), from read-only memory-mapped windows of the file. Anything that is not the segment format throws
/// <see cref="SegmentCorruptException"/> with the offset.
/// </summary>
public sealed unsafe class SegmentReader : IDisposable
{
    private const long MapWindowBytes = 64L * 1024 * 1024;
    private const long MapAlignment = 64 * 1024;
    private const int MaxBlock = CaptureFileReader.MaxRecordLength + 1024;

    private readonly FileStream _file;
    private MemoryMappedFile? _map;
    private MemoryMappedViewAccessor? _view;
    private unsafe byte* _base;
    private long _windowStart;
    private long _windowLength;
    private readonly List<CaptureInterface> _interfaces = [];

    private bool _bigEndian;

    /// <summary>Opens a segment and reads its header blocks.</summary>
    public SegmentReader(string path)
    {
        Path = path;
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        Length = _file.Length;
        try
        {
            ReadHeader();
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>pcapng (written by Recorder) or pcap (an imported classic pcap file kept verbatim).</summary>
    public CaptureFileFormat Format { get; private set; } = CaptureFileFormat.Pcapng;

    /// <summary>The file's length when opened (packets are read up to here).</summary>
    public long Length { get; private set; }

    /// <summary>Offset of the first packet block.</summary>
    public long DataStart { get; private set; }

    /// <summary>The interfaces described at the start of the segment.</summary>
    public IReadOnlyList<CaptureInterface> Interfaces => _interfaces;

    /// <summary>Re-reads the file length (for a segment still being written).</summary>
    public void Refresh()
    {
        Unmap();
        Length = _file.Length;
    }

    /// <summary>Reads the packet block at <paramref name="offset"/>.</summary>
    public SegmentPacket ReadAt(long offset)
    {
        if (!TryReadAt(offset, out var packet))
        {
            throw new SegmentCorruptException(Path, offset, "packet block runs past the end of the file");
        }

        return packet;
    }

    /// <summary>Reads the packet block at <paramref name="offset"/>; false if the file ends before the block does.</summary>
    public bool TryReadAt(long offset, out SegmentPacket packet)
    {
        packet = default;
        if (Format == CaptureFileFormat.Pcap)
        {
            return TryReadPcapRecord(offset, out packet);
        }

        if (!Ensure(offset, 28))
        {
            return false;
        }

        var header = Window(offset, 28);
        var type = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (type != 6)
        {
            throw new SegmentCorruptException(Path, offset, $"expected an enhanced packet block (type 6), found type {type}");
        }

        if (length < 32 || length % 4 != 0 || length > MaxBlock)
        {
            throw new SegmentCorruptException(Path, offset, $"enhanced packet block with impossible length {length}");
        }

        if (!Ensure(offset, (int)length))
        {
            return false;
        }

        var block = Window(offset, (int)length);
        var interfaceId = BinaryPrimitives.ReadUInt32LittleEndian(block[8..]);
        var ticks = ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(block[12..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(block[16..]);
        var captured = BinaryPrimitives.ReadUInt32LittleEndian(block[20..]);
        var original = BinaryPrimitives.ReadUInt32LittleEndian(block[24..]);
        if (captured > length - 32 || BinaryPrimitives.ReadUInt32LittleEndian(block[(int)(length - 4)..]) != length)
        {
            throw new SegmentCorruptException(Path, offset, "enhanced packet block lengths disagree");
        }

        if (interfaceId >= (uint)_interfaces.Count)
        {
            throw new SegmentCorruptException(Path, offset, $"packet names interface {interfaceId}, the segment describes {_interfaces.Count}");
        }

        var captureInterface = _interfaces[(int)interfaceId];
        if (!TimestampResolution.TryToNanoseconds(ticks, captureInterface.TimestampResolution, captureInterface.TimestampOffsetSeconds, out var nanos))
        {
            throw new SegmentCorruptException(Path, offset, $"timestamp of {ticks} ticks is outside the representable range");
        }

        packet = new SegmentPacket(offset, offset + length, (int)interfaceId, captureInterface.LinkType, ticks, nanos, original,
            block.Slice(28, (int)captured));
        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Unmap();
        _file.Dispose();
    }

    private bool TryReadPcapRecord(long offset, out SegmentPacket packet)
    {
        packet = default;
        if (!Ensure(offset, 16))
        {
            return false;
        }

        var header = Window(offset, 16);
        var seconds = U32(header);
        var fraction = U32(header[4..]);
        var captured = U32(header[8..]);
        var original = U32(header[12..]);
        if (captured > CaptureFileReader.MaxRecordLength)
        {
            throw new SegmentCorruptException(Path, offset, $"record claims {captured} bytes, more than the 256 KiB limit");
        }

        if (!Ensure(offset, 16 + (int)captured))
        {
            return false;
        }

        var captureInterface = _interfaces[0];
        var perSecond = captureInterface.TimestampResolution == TimestampResolution.Nanoseconds ? 1_000_000_000UL : 1_000_000UL;
        var ticks = ((ulong)seconds * perSecond) + fraction;
        var nanos = TimestampResolution.ToNanoseconds(ticks, captureInterface.TimestampResolution);
        packet = new SegmentPacket(offset, offset + 16 + captured, 0, captureInterface.LinkType, ticks, nanos, original,
            Window(offset, 16 + (int)captured)[16..]);
        return true;
    }

    private void ReadPcapHeader(uint magic)
    {
        _bigEndian = magic is 0xD4C3B2A1 or 0x4D3CB2A1;
        var nanosecond = magic is 0xA1B23C4D or 0x4D3CB2A1;
        if (!Ensure(0, 24))
        {
            throw new SegmentCorruptException(Path, 0, "file too short for a pcap header");
        }

        var header = Window(0, 24);
        var link = PcapLinkField.Parse(U32(header[20..]));
        _interfaces.Add(new CaptureInterface(link.LinkType, U32(header[16..]),
            nanosecond ? TimestampResolution.Nanoseconds : TimestampResolution.Microseconds, 0, FcsLength: link.FcsLength));
        Format = CaptureFileFormat.Pcap;
        DataStart = 24;
    }

    private uint U32(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

    private void ReadHeader()
    {
        if (Ensure(0, 4))
        {
            var magic = BinaryPrimitives.ReadUInt32LittleEndian(Window(0, 4));
            if (magic is 0xA1B2C3D4 or 0xA1B23C4D or 0xD4C3B2A1 or 0x4D3CB2A1)
            {
                ReadPcapHeader(magic);
                return;
            }
        }

        if (!Ensure(0, 28))
        {
            throw new SegmentCorruptException(Path, 0, "file too short for a pcapng section header");
        }

        var offset = 0L;
        var first = true;
        while (Ensure(offset, 8))
        {
            var header = Window(offset, 8);
            var type = BinaryPrimitives.ReadUInt32LittleEndian(header);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            if (first)
            {
                if (type != 0x0A0D0D0A || !Ensure(0, 12) || BinaryPrimitives.ReadUInt32LittleEndian(Window(0, 12)[8..]) != 0x1A2B3C4D)
                {
                    throw new SegmentCorruptException(Path, 0, "not a little-endian pcapng section header");
                }
            }
            else if (type == 6)
            {
                break;
            }
            else if (type != 1)
            {
                throw new SegmentCorruptException(Path, offset, $"unexpected block type {type} before the first packet");
            }

            if (length < 12 || length % 4 != 0 || length > MaxBlock || !Ensure(offset, (int)length))
            {
                throw new SegmentCorruptException(Path, offset, $"header block with impossible length {length}");
            }

            var block = Window(offset, (int)length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(block[^4..]) != length)
            {
                throw new SegmentCorruptException(Path, offset, "header block lengths disagree");
            }

            if (type == 1)
            {
                _interfaces.Add(ParseInterface(offset, block[8..^4]));
            }

            first = false;
            offset += length;
        }

        if (_interfaces.Count == 0)
        {
            throw new SegmentCorruptException(Path, offset, "segment describes no interface");
        }

        DataStart = offset;
    }

    private CaptureInterface ParseInterface(long offset, ReadOnlySpan<byte> body)
    {
        if (body.Length < 8)
        {
            throw new SegmentCorruptException(Path, offset, "interface description block too short");
        }

        var linkType = BinaryPrimitives.ReadUInt16LittleEndian(body);
        var snap = BinaryPrimitives.ReadUInt32LittleEndian(body[4..]);
        byte resolution = TimestampResolution.Microseconds;
        long tsOffset = 0;
        string? name = null;
        string? description = null;
        var options = body[8..];
        while (options.Length >= 4)
        {
            var code = BinaryPrimitives.ReadUInt16LittleEndian(options);
            var length = BinaryPrimitives.ReadUInt16LittleEndian(options[2..]);
            if (code == 0 || options.Length < 4 + length)
            {
                break;
            }

            var value = options.Slice(4, length);
            switch (code)
            {
                case 2:
                    name = Encoding.UTF8.GetString(value);
                    break;
                case 3:
                    description = Encoding.UTF8.GetString(value);
                    break;
                case 9 when length >= 1:
                    resolution = value[0];
                    break;
                case 14 when length >= 8:
                    tsOffset = BinaryPrimitives.ReadInt64LittleEndian(value);
                    break;
                default:
                    break;
            }

            options = options[Math.Min(options.Length, 4 + ((length + 3) & ~3))..];
        }

        return new CaptureInterface(linkType, snap, resolution, tsOffset, name, description);
    }

    /// <summary>
    /// Reads go through read-only memory maps of 64 MiB windows, moved as reads move along the file:
    /// they touch only the pages of the packets asked for, with no copy, and resident memory stays
    /// bounded by one window whatever the segment's size.
    /// </summary>
    private bool Ensure(long offset, int count)
    {
        if (offset < 0 || count < 0 || offset + count > Length)
        {
            return false;
        }

        if (_view is null || offset < _windowStart || offset + count > _windowStart + _windowLength)
        {
            MapWindow(offset, count);
        }

        return true;
    }

    private void MapWindow(long offset, int count)
    {
        ReleaseView();
        _map ??= MemoryMappedFile.CreateFromFile(_file, null, Length, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        var start = offset & ~(MapAlignment - 1);
        var length = Math.Min(Length - start, Math.Max(MapWindowBytes, offset - start + count));
        _view = _map.CreateViewAccessor(start, length, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
        _windowStart = start;
        _windowLength = length;
    }

    private void ReleaseView()
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _view = null;
            _base = null;
        }
    }

    private void Unmap()
    {
        ReleaseView();
        _map?.Dispose();
        _map = null;
    }

    private ReadOnlySpan<byte> Window(long offset, int count) => new(_base + (offset - _windowStart), count);
}
