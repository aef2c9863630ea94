using System.Buffers.Binary;

namespace Recorder.Synthesis.Packets;

/// <summary>
/// QUIC version 1 packet headers (RFC 9000 §17.2, §17.3) around opaque (as if encrypted) bytes:
/// Initial packets (with an empty token) and Handshake packets in long-header form for the first
/// four packets of a connection, 1-RTT short-header packets after that. Connection ids are eight bytes.
/// </summary>
internal static class QuicPackets
{
    public static void WriteLong(Span<byte> destination, bool initial, ulong destinationId, ulong sourceId, ReadOnlySpan<byte> opaque)
    {
        var length = destination.Length;
        opaque[..length].CopyTo(destination);
        destination[0] = initial ? (byte)0xC3 : (byte)0xE3; // long header, fixed bit, type, 4-byte packet number
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], 1);
        destination[5] = 8;
        BinaryPrimitives.WriteUInt64BigEndian(destination[6..], destinationId);
        destination[14] = 8;
        BinaryPrimitives.WriteUInt64BigEndian(destination[15..], sourceId);
        var at = 23;
        if (initial)
        {
            destination[at++] = 0; // token length
        }

        // Length (two-byte variable-length integer, RFC 9000 §16): packet number and payload.
        BinaryPrimitives.WriteUInt16BigEndian(destination[at..], (ushort)(0x4000 | (length - at - 2)));
    }

    public static void WriteShort(Span<byte> destination, ulong destinationId, ReadOnlySpan<byte> opaque)
    {
        opaque[..destination.Length].CopyTo(destination);
        destination[0] = (byte)(0x40 | (destination[0] & 0x07)); // short header, fixed bit, protected bits
        BinaryPrimitives.WriteUInt64BigEndian(destination[1..], destinationId);
    }
}
