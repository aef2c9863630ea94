using System.Buffers.Binary;
using Recorder.Core.Indexing;

namespace Recorder.Index.Format;

/// <summary>A growable buffer for encoding one value.</summary>
internal sealed class ByteWriter(int capacity = 64)
{
    private byte[] _buffer = new byte[Math.Max(capacity, 16)];
    private int _length;

    public int Length => _length;

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    public void WriteVarint(ulong value) => Varint.Append(ref _buffer, ref _length, value);

    /// <summary>Writes a non-negative count or size as a varint.</summary>
    public void WriteCount(long value) => WriteVarint(checked((ulong)value));

    public void WriteSigned(long value) => WriteVarint(ZigZag.Encode(value));

    public void WriteInt64BigEndian(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteUInt16BigEndian(ushort value)
    {
        Ensure(2);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length), value);
        _length += 2;
    }

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    private void Ensure(int more)
    {
        if (_buffer.Length - _length < more)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
        }
    }
}

/// <summary>Reads one encoded value; every overrun throws <see cref="FormatException"/>.</summary>
internal ref struct ByteReader(ReadOnlySpan<byte> source)
{
    private readonly ReadOnlySpan<byte> _source = source;
    private int _offset;

    public readonly int Offset => _offset;

    public readonly int Remaining => _source.Length - _offset;

    public byte ReadByte()
    {
        Need(1);
        return _source[_offset++];
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        Need(count);
        var value = _source.Slice(_offset, count);
        _offset += count;
        return value;
    }

    public ulong ReadVarint() => Varint.Read(_source, ref _offset);

    /// <summary>Reads a count or size that must fit a non-negative <see cref="long"/>.</summary>
    public long ReadCount()
    {
        var value = ReadVarint();
        return value > long.MaxValue ? throw new FormatException($"count {value} out of range") : (long)value;
    }

    public long ReadSigned() => ZigZag.Decode(ReadVarint());

    public long ReadInt64BigEndian() => BinaryPrimitives.ReadInt64BigEndian(ReadBytes(8));

    public ushort ReadUInt16BigEndian() => BinaryPrimitives.ReadUInt16BigEndian(ReadBytes(2));

    public readonly void ExpectEnd(string what)
    {
        if (_offset != _source.Length)
        {
            throw new FormatException($"{_source.Length - _offset} unexpected bytes after the {what}");
        }
    }

    private readonly void Need(int count)
    {
        if (count < 0 || _source.Length - _offset < count)
        {
            throw new FormatException($"value ends after {_source.Length} bytes, {count} more needed at offset {_offset}");
        }
    }
}
