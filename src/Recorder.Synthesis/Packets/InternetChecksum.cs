using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Recorder.Synthesis.Packets;

/// <summary>
/// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
/// big-endian words. Sums are accumulated as plain 64-bit integers and folded at the end, which
/// RFC 1071 §2(B) allows; data is summed in native little-endian order and swapped once
/// (byte-order independence, RFC 1071 §2(A)).
/// </summary>
internal static class InternetChecksum
{
    /// <summary>Adds <paramref name="data"/>, which must start at an even offset of the checksummed range.</summary>
    public static ulong Add(ulong sum, ReadOnlySpan<byte> data)
    {
        unchecked
        {
            // Little-endian 32-bit loads; 2^32 additions of 2^32-1 cannot overflow 64 bits.
            var words = MemoryMarshal.Cast<byte, uint>(data[..(data.Length & ~3)]);
            ulong native = 0;
            var i = 0;
            for (; i + 4 <= words.Length; i += 4)
            {
                native += (ulong)words[i] + words[i + 1] + words[i + 2] + words[i + 3];
            }

            for (; i < words.Length; i++)
            {
                native += words[i];
            }

            var tail = data[(data.Length & ~3)..];
            if (tail.Length >= 2)
            {
                native += MemoryMarshal.Read<ushort>(tail);
                tail = tail[2..];
            }

            if (tail.Length == 1)
            {
                // The odd byte is the high half of a zero-padded word (RFC 1071 §4.1).
                native += BitConverter.IsLittleEndian ? tail[0] : (uint)tail[0] << 8;
            }

            if (!BitConverter.IsLittleEndian)
            {
                return sum + FoldTo16(native);
            }

            return sum + BinaryPrimitives.ReverseEndianness(FoldTo16(native));
        }
    }

    /// <summary>Adds one 16-bit value (as it appears big-endian on the wire).</summary>
    public static ulong Add(ulong sum, ushort value) => unchecked(sum + value);

    /// <summary>Adds the four bytes of a 32-bit big-endian field as two 16-bit words.</summary>
    public static ulong Add(ulong sum, uint value) => unchecked(sum + (value >> 16) + (value & 0xFFFF));

    /// <summary>Folds and complements: the value to store in a checksum field.</summary>
    public static ushort Finish(ulong sum) => unchecked((ushort)~FoldTo16(sum));

    /// <summary>The checksum of <paramref name="data"/> alone.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Add(0, data));

    private static ushort FoldTo16(ulong sum)
    {
        unchecked
        {
            sum = (sum & 0xFFFFFFFF) + (sum >> 32);
            sum = (sum & 0xFFFFFFFF) + (sum >> 32);
            sum = (sum & 0xFFFF) + (sum >> 16);
            sum = (sum & 0xFFFF) + (sum >> 16);
            sum = (sum & 0xFFFF) + (sum >> 16);
            return (ushort)sum;
        }
    }
}
