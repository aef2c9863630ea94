using System.Buffers.Binary;
using System.Text;

namespace Recorder.Core.Formats;

/// <summary>
/// Reads classic pcap and pcapng files record by record over a large buffer, without per-packet
/// allocation, and validates them strictly: a bad magic, a truncated header or record, a record
/// longer than <see cref="MaxRecordLength"/>, or a broken pcapng block throws
/// <see cref="CaptureFormatException"/> naming the offset. A file whose last record is cut off may be
/// accepted (<see cref="AcceptTruncated"/>): reading then stops at the cut and <see cref="Truncation"/>
/// says exactly what was left out.
/// </summary>
public sealed class CaptureFileReader : IDisposable
{
    /// <summary>The largest record accepted: 256 KiB, libpcap's largest snapshot length.</summary>
    public const int MaxRecordLength = 262_144;

    private const uint BlockSectionHeader = 0x0A0D0D0A;
    private const uint BlockInterfaceDescription = 1;
    private const uint BlockObsoletePacket = 2;
    private const uint BlockSimplePacket = 3;
    private const uint BlockEnhancedPacket = 6;
    private const int MaxBlockLength = 16 * 1024 * 1024;
    private const int BufferSize = 4 * 1024 * 1024;

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly long _length;
    private readonly List<CaptureInterface> _interfaces = [];
    private readonly List<int> _sectionInterfaces = [];
    private readonly Dictionary<uint, long> _skippedBlocks = [];
    private byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;
    private long _bufferOffset;
    private bool _bigEndian;
    private bool _finished;
    private long _consumed;

    private CaptureFileReader(Stream stream, string name, bool ownsStream, bool acceptTruncated)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        Name = name;
        AcceptTruncated = acceptTruncated;
        _length = stream.CanSeek ? stream.Length - stream.Position : long.MaxValue;
        ReadFileHeader();
    }

    /// <summary>The name used in error messages (usually the path).</summary>
    public string Name { get; }

    /// <summary>Whether a cut-off last record ends the file instead of failing it.</summary>
    public bool AcceptTruncated { get; }

    /// <summary>The container format.</summary>
    public CaptureFileFormat Format { get; private set; }

    /// <summary>True when the file is big-endian.</summary>
    public bool IsBigEndian => _bigEndian;

    /// <summary>Every interface seen so far, across pcapng sections.</summary>
    public IReadOnlyList<CaptureInterface> Interfaces => _interfaces;

    /// <summary>Packets returned so far.</summary>
    public long PacketsRead { get; private set; }

    /// <summary>Packets that carried pcapng options (comments, flags) which are not kept in segments.</summary>
    public long PacketsWithOptions { get; private set; }

    /// <summary>Non-packet pcapng blocks skipped, by block type.</summary>
    public IReadOnlyDictionary<uint, long> SkippedBlocks => _skippedBlocks;

    /// <summary>Set when reading stopped at a cut-off last record (only with <see cref="AcceptTruncated"/>).</summary>
    public TruncatedTail? Truncation { get; private set; }

    /// <summary>Bytes consumed so far (offset just after the last complete record or block).</summary>
    public long Position => _consumed;

    /// <summary>Opens a file for sequential reading.</summary>
    public static CaptureFileReader Open(string path, bool acceptTruncated = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        try
        {
            return new CaptureFileReader(stream, path, ownsStream: true, acceptTruncated);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads from a stream positioned at the start of a capture.</summary>
    public static CaptureFileReader Open(Stream stream, string name, bool acceptTruncated = false, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new CaptureFileReader(stream, name, ownsStream, acceptTruncated);
    }

    /// <summary>Reads the next packet; false at the end of the file.</summary>
    public bool TryRead(out CapturedPacket packet)
    {
        packet = default;
        if (_finished)
        {
            return false;
        }

        return Format == CaptureFileFormat.Pcap ? TryReadPcap(out packet) : TryReadPcapng(out packet);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsStream)
        {
            _stream.Dispose();
        }
    }

    private void ReadFileHeader()
    {
        var available = Fill(4);
        if (available == 0)
        {
            throw Error(0, "empty file: not a pcap or pcapng capture");
        }

        if (available < 4)
        {
            throw Error(0, $"truncated file header: {available} bytes, not a pcap or pcapng capture");
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_start));
        switch (magic)
        {
            case 0xA1B2C3D4:
            case 0xA1B23C4D:
            case 0xD4C3B2A1:
            case 0x4D3CB2A1:
                ReadPcapHeader();
                break;
            case BlockSectionHeader:
                Format = CaptureFileFormat.Pcapng;
                break;
            default:
                throw Error(0, $"bad magic 0x{magic:x8}: not a pcap or pcapng capture");
        }
    }

    private void ReadPcapHeader()
    {
        Format = CaptureFileFormat.Pcap;
        if (Fill(24) < 24)
        {
            throw Error(0, $"truncated pcap file header: {_end - _start} of 24 bytes");
        }

        var header = _buffer.AsSpan(_start, 24);
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
        _bigEndian = magic is 0xD4C3B2A1 or 0x4D3CB2A1;
        var nanosecond = magic is 0xA1B23C4D or 0x4D3CB2A1;
        var major = U16(header[4..]);
        if (major != 2)
        {
            throw Error(4, $"unsupported pcap version {major}.{U16(header[6..])} (expected 2.x)");
        }

        var snapLength = U32(header[16..]);
        var link = PcapLinkField.Parse(U32(header[20..]));
        _interfaces.Add(new CaptureInterface(link.LinkType, snapLength,
            nanosecond ? TimestampResolution.Nanoseconds : TimestampResolution.Microseconds, 0, FcsLength: link.FcsLength));
        _sectionInterfaces.Add(0);
        Consume(24);
    }

    private bool TryReadPcap(out CapturedPacket packet)
    {
        packet = default;
        var offset = CurrentOffset;
        var available = Fill(16);
        if (available == 0)
        {
            _finished = true;
            return false;
        }

        if (available < 16)
        {
            return Truncated(offset, available, 16, $"truncated record header: {available} of 16 bytes");
        }

        var header = _buffer.AsSpan(_start, 16);
        var seconds = U32(header);
        var fraction = U32(header[4..]);
        var capturedLength = U32(header[8..]);
        var originalLength = U32(header[12..]);
        if (capturedLength > MaxRecordLength)
        {
            throw Error(offset, $"record of {capturedLength} bytes is longer than the 256 KiB limit ({MaxRecordLength})");
        }

        var total = 16 + (int)capturedLength;
        available = Fill(total);
        if (available < total)
        {
            return Truncated(offset, available, total,
                $"truncated record: header announces {capturedLength} bytes of data, the file ends after {available - 16}");
        }

        var captureInterface = _interfaces[0];
        var ticks = captureInterface.TimestampResolution == TimestampResolution.Nanoseconds
            ? ((ulong)seconds * 1_000_000_000UL) + fraction
            : ((ulong)seconds * 1_000_000UL) + fraction;
        var nanos = Nanoseconds(offset, ticks, captureInterface);
        packet = new CapturedPacket(0, captureInterface, ticks, nanos, originalLength,
            _buffer.AsSpan(_start + 16, (int)capturedLength), offset);
        Consume(total);
        PacketsRead++;
        return true;
    }

    private bool TryReadPcapng(out CapturedPacket packet)
    {
        packet = default;
        while (true)
        {
            var offset = CurrentOffset;
            var available = Fill(8);
            if (available == 0)
            {
                _finished = true;
                return false;
            }

            if (available < 8)
            {
                return Truncated(offset, available, 8, $"truncated pcapng block header: {available} of 8 bytes");
            }

            var type = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_start));
            if (type == BlockSectionHeader)
            {
                if (Fill(12) < 12)
                {
                    return Truncated(offset, _end - _start, 12, "truncated section header block");
                }

                var byteOrder = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_start + 8));
                _bigEndian = byteOrder switch
                {
                    0x1A2B3C4D => false,
                    0x4D3C2B1A => true,
                    _ => throw Error(offset + 8, $"bad pcapng byte-order magic 0x{byteOrder:x8}"),
                };
            }
            else if (offset == 0)
            {
                throw Error(0, "pcapng file does not start with a section header block");
            }
            else
            {
                type = U32(_buffer.AsSpan(_start));
            }

            var length = U32(_buffer.AsSpan(_start + 4));
            if (length < 12 || length % 4 != 0)
            {
                throw Error(offset, $"broken pcapng block: type 0x{type:x8} has total length {length} (must be a multiple of 4, at least 12)");
            }

            var isPacket = type is BlockEnhancedPacket or BlockSimplePacket or BlockObsoletePacket;
            if (!isPacket && type != BlockSectionHeader && type != BlockInterfaceDescription)
            {
                // Skip bodies we do not keep without buffering them: they may be large.
                if (!SkipBlock(offset, length, type))
                {
                    return false;
                }

                continue;
            }

            if (length > MaxBlockLength)
            {
                throw Error(offset, $"broken pcapng block: type 0x{type:x8} claims {length} bytes");
            }

            available = Fill((int)length);
            if (available < length)
            {
                return Truncated(offset, available, length,
                    $"truncated pcapng block: type 0x{type:x8} announces {length} bytes, the file ends after {available}");
            }

            var block = _buffer.AsSpan(_start, (int)length);
            var trailer = U32(block[^4..]);
            if (trailer != length)
            {
                throw Error(offset, $"broken pcapng block: type 0x{type:x8} length {length} at the start but {trailer} at the end");
            }

            var body = block[8..^4];
            switch (type)
            {
                case BlockSectionHeader:
                    ReadSectionHeader(offset, body);
                    Consume((int)length);
                    continue;
                case BlockInterfaceDescription:
                    ReadInterfaceDescription(offset, body);
                    Consume((int)length);
                    continue;
                case BlockEnhancedPacket:
                    packet = ReadEnhancedPacket(offset, body);
                    break;
                case BlockSimplePacket:
                    packet = ReadSimplePacket(offset, body);
                    break;
                default:
                    packet = ReadObsoletePacket(offset, body);
                    break;
            }

            Consume((int)length);
            PacketsRead++;
            return true;
        }
    }

    private void ReadSectionHeader(long offset, ReadOnlySpan<byte> body)
    {
        if (body.Length < 16)
        {
            throw Error(offset, $"broken pcapng section header block: body of {body.Length} bytes, at least 16 expected");
        }

        var major = U16(body[4..]);
        if (major != 1)
        {
            throw Error(offset + 12, $"unsupported pcapng version {major}.{U16(body[6..])} (expected 1.x)");
        }

        _sectionInterfaces.Clear();
    }

    private void ReadInterfaceDescription(long offset, ReadOnlySpan<byte> body)
    {
        if (body.Length < 8)
        {
            throw Error(offset, $"broken pcapng interface description block: body of {body.Length} bytes, at least 8 expected");
        }

        var linkType = U16(body);
        var snapLength = U32(body[4..]);
        byte resolution = TimestampResolution.Microseconds;
        long tsOffset = 0;
        string? name = null;
        string? description = null;
        var options = body[8..];
        while (options.Length >= 4)
        {
            var code = U16(options);
            var optionLength = U16(options[2..]);
            if (code == 0)
            {
                break;
            }

            if (options.Length < 4 + optionLength)
            {
                throw Error(offset, $"broken pcapng interface description block: option {code} runs past the block");
            }

            var value = options.Slice(4, optionLength);
            switch (code)
            {
                case 2:
                    name = Encoding.UTF8.GetString(value).TrimEnd('\0');
                    break;
                case 3:
                    description = Encoding.UTF8.GetString(value).TrimEnd('\0');
                    break;
                case 9 when optionLength >= 1:
                    resolution = value[0];
                    if (!TimestampResolution.IsSupported(resolution))
                    {
                        throw Error(offset, $"unsupported if_tsresol 0x{resolution:x2}");
                    }

                    break;
                case 14 when optionLength >= 8:
                    tsOffset = _bigEndian ? BinaryPrimitives.ReadInt64BigEndian(value) : BinaryPrimitives.ReadInt64LittleEndian(value);
                    break;
                default:
                    break;
            }

            options = options[Math.Min(options.Length, 4 + ((optionLength + 3) & ~3))..];
        }

        _sectionInterfaces.Add(_interfaces.Count);
        _interfaces.Add(new CaptureInterface(linkType, snapLength, resolution, tsOffset, name, description));
    }

    private CapturedPacket ReadEnhancedPacket(long offset, ReadOnlySpan<byte> body)
    {
        if (body.Length < 20)
        {
            throw Error(offset, $"broken enhanced packet block: body of {body.Length} bytes, at least 20 expected");
        }

        var interfaceId = U32(body);
        var ticks = ((ulong)U32(body[4..]) << 32) | U32(body[8..]);
        var capturedLength = U32(body[12..]);
        var originalLength = U32(body[16..]);
        if (capturedLength > MaxRecordLength)
        {
            throw Error(offset, $"record of {capturedLength} bytes is longer than the 256 KiB limit ({MaxRecordLength})");
        }

        if (capturedLength > body.Length - 20)
        {
            throw Error(offset, $"broken enhanced packet block: captured length {capturedLength} exceeds the block's {body.Length - 20} data bytes");
        }

        var padded = (int)((capturedLength + 3) & ~3u);
        if (body.Length - 20 > padded)
        {
            PacketsWithOptions++;
        }

        var captureInterface = Interface(offset, interfaceId);
        var nanos = Nanoseconds(offset, ticks, captureInterface);
        return new CapturedPacket(_sectionInterfaces[(int)interfaceId], captureInterface, ticks, nanos, originalLength,
            _buffer.AsSpan(_start + 8 + 20, (int)capturedLength), offset);
    }

    private CapturedPacket ReadSimplePacket(long offset, ReadOnlySpan<byte> body)
    {
        if (body.Length < 4)
        {
            throw Error(offset, $"broken simple packet block: body of {body.Length} bytes, at least 4 expected");
        }

        var captureInterface = Interface(offset, 0);
        var originalLength = U32(body);
        var capturedLength = Math.Min(originalLength, (uint)(body.Length - 4));
        if (captureInterface.SnapLength != 0)
        {
            capturedLength = Math.Min(capturedLength, captureInterface.SnapLength);
        }

        if (capturedLength > MaxRecordLength)
        {
            throw Error(offset, $"record of {capturedLength} bytes is longer than the 256 KiB limit ({MaxRecordLength})");
        }

        // A simple packet block has no timestamp: it is stored as time zero, as readers show it.
        return new CapturedPacket(_sectionInterfaces[0], captureInterface, 0, 0, originalLength,
            _buffer.AsSpan(_start + 8 + 4, (int)capturedLength), offset);
    }

    private CapturedPacket ReadObsoletePacket(long offset, ReadOnlySpan<byte> body)
    {
        if (body.Length < 20)
        {
            throw Error(offset, $"broken packet block: body of {body.Length} bytes, at least 20 expected");
        }

        var interfaceId = U16(body);
        var ticks = ((ulong)U32(body[4..]) << 32) | U32(body[8..]);
        var capturedLength = U32(body[12..]);
        var originalLength = U32(body[16..]);
        if (capturedLength > MaxRecordLength)
        {
            throw Error(offset, $"record of {capturedLength} bytes is longer than the 256 KiB limit ({MaxRecordLength})");
        }

        if (capturedLength > body.Length - 20)
        {
            throw Error(offset, $"broken packet block: captured length {capturedLength} exceeds the block's {body.Length - 20} data bytes");
        }

        var captureInterface = Interface(offset, interfaceId);
        var nanos = Nanoseconds(offset, ticks, captureInterface);
        return new CapturedPacket(_sectionInterfaces[interfaceId], captureInterface, ticks, nanos, originalLength,
            _buffer.AsSpan(_start + 8 + 20, (int)capturedLength), offset);
    }

    private CaptureInterface Interface(long offset, uint interfaceId)
    {
        if (interfaceId >= (uint)_sectionInterfaces.Count)
        {
            throw Error(offset, $"broken packet block: it names interface {interfaceId}, but the section describes {_sectionInterfaces.Count}");
        }

        return _interfaces[_sectionInterfaces[(int)interfaceId]];
    }

    /// <summary>The packet's time, or a format error naming the record when it lies outside 1677–2262.</summary>
    private long Nanoseconds(long offset, ulong ticks, CaptureInterface captureInterface) =>
        TimestampResolution.TryToNanoseconds(ticks, captureInterface.TimestampResolution, captureInterface.TimestampOffsetSeconds, out var nanos)
            ? nanos
            : throw Error(offset, $"timestamp out of range: {ticks} ticks of {TimestampResolution.Describe(captureInterface.TimestampResolution)}"
                + $" plus if_tsoffset {captureInterface.TimestampOffsetSeconds} s is outside 1677-09-21..2262-04-11 (nanoseconds since 1970 in 64 bits)");

    private bool SkipBlock(long offset, uint length, uint type)
    {
        var remaining = (long)length;
        while (remaining > 0)
        {
            var available = Fill((int)Math.Min(remaining, _buffer.Length));
            if (available == 0)
            {
                return Truncated(offset, length - remaining, length,
                    $"truncated pcapng block: type 0x{type:x8} announces {length} bytes, the file ends after {length - remaining}");
            }

            var take = (int)Math.Min(available, remaining);
            if (remaining == take && take >= 4)
            {
                var trailer = U32(_buffer.AsSpan(_start + take - 4));
                if (trailer != length)
                {
                    throw Error(offset, $"broken pcapng block: type 0x{type:x8} length {length} at the start but {trailer} at the end");
                }
            }

            Consume(take);
            remaining -= take;
        }

        _skippedBlocks[type] = _skippedBlocks.GetValueOrDefault(type) + 1;
        return true;
    }

    private bool Truncated(long offset, long available, long expected, string reason)
    {
        if (!AcceptTruncated)
        {
            throw Error(offset, reason + " (use --accept-truncated to keep the complete records before it)");
        }

        Truncation = new TruncatedTail(offset, available, expected);
        _finished = true;
        return false;
    }

    private long CurrentOffset => _bufferOffset + _start;

    private void Consume(int count)
    {
        _start += count;
        _consumed = CurrentOffset;
    }

    /// <summary>Makes at least <paramref name="count"/> bytes available if the file has them; returns how many are.</summary>
    private int Fill(int count)
    {
        if (_end - _start >= count)
        {
            return _end - _start;
        }

        if (count > _buffer.Length)
        {
            Array.Resize(ref _buffer, count);
        }

        if (_start + count > _buffer.Length)
        {
            var live = _end - _start;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, live);
            _bufferOffset += _start;
            _start = 0;
            _end = live;
        }

        while (_end - _start < count)
        {
            var wanted = _buffer.Length - _end;
            var limit = _length - (_bufferOffset + _end);
            if (limit <= 0)
            {
                break;
            }

            var read = _stream.Read(_buffer, _end, (int)Math.Min(wanted, limit));
            if (read == 0)
            {
                break;
            }

            _end += read;
        }

        return _end - _start;
    }

    private ushort U16(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);

    private uint U32(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

    private CaptureFormatException Error(long offset, string reason) => new(Name, offset, reason);
}
