using System.Buffers.Binary;

namespace Recorder.Sessions.Tls;

/// <summary>
/// Bounds-checked big-endian reader over a span: every read reports failure instead of throwing, so
/// hostile lengths end a parse with a finding rather than an exception.
/// </summary>
internal ref struct SpanReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly int Remaining => _data.Length - _position;

    public readonly bool IsEmpty => _position >= _data.Length;

    public readonly int Position => _position;

    public bool TryU8(out byte value)
    {
        if (Remaining < 1)
        {
            value = 0;
            return false;
        }

        value = _data[_position++];
        return true;
    }

    public bool TryU16(out ushort value)
    {
        if (Remaining < 2)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(_data[_position..]);
        _position += 2;
        return true;
    }

    public bool TryU24(out int value)
    {
        if (Remaining < 3)
        {
            value = 0;
            return false;
        }

        value = (_data[_position] << 16) | (_data[_position + 1] << 8) | _data[_position + 2];
        _position += 3;
        return true;
    }

    public bool TryBytes(int count, out ReadOnlySpan<byte> value)
    {
        if (count < 0 || Remaining < count)
        {
            value = default;
            return false;
        }

        value = _data.Slice(_position, count);
        _position += count;
        return true;
    }

    /// <summary>A QUIC variable-length integer (RFC 9000 §16): the two top bits give its length.</summary>
    public bool TryVarInt(out ulong value)
    {
        value = 0;
        if (Remaining < 1)
        {
            return false;
        }

        var length = 1 << (_data[_position] >> 6);
        if (Remaining < length)
        {
            return false;
        }

        value = (ulong)(_data[_position] & 0x3f);
        for (var i = 1; i < length; i++)
        {
            value = (value << 8) | _data[_position + i];
        }

        _position += length;
        return true;
    }

    /// <summary>A vector with a one-byte length prefix (TLS's <c>opaque x&lt;0..2^8-1&gt;</c>).</summary>
    public bool TryVector8(out ReadOnlySpan<byte> value)
    {
        value = default;
        return TryU8(out var length) && TryBytes(length, out value);
    }

    /// <summary>A vector with a two-byte length prefix.</summary>
    public bool TryVector16(out ReadOnlySpan<byte> value)
    {
        value = default;
        return TryU16(out var length) && TryBytes(length, out value);
    }

    /// <summary>A vector with a three-byte length prefix.</summary>
    public bool TryVector24(out ReadOnlySpan<byte> value)
    {
        value = default;
        return TryU24(out var length) && TryBytes(length, out value);
    }
}
