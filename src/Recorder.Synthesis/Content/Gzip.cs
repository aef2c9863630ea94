namespace Recorder.Synthesis.Content;

/// <summary>
/// gzip (RFC 1952) with DEFLATE stored blocks (RFC 1951 §3.2.4): a valid gzip member whose bytes do not
/// depend on a compressor's version, so a synthesized capture stays the same on every .NET version.
/// </summary>
internal static class Gzip
{
    private static readonly uint[] CrcTable = CreateCrcTable();

    public static byte[] Stored(ReadOnlySpan<byte> content)
    {
        var output = new List<byte> { 0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF }; // no flags, no mtime, OS unknown
        var at = 0;
        do
        {
            var length = Math.Min(65535, content.Length - at);
            var final = at + length == content.Length;
            output.Add(final ? (byte)1 : (byte)0);
            output.AddRange(LittleEndian16(length));
            output.AddRange(LittleEndian16(~length));
            output.AddRange(content.Slice(at, length).ToArray());
            at += length;
        }
        while (at < content.Length);

        var crc = Crc32(content);
        output.AddRange(LittleEndian32(crc));
        output.AddRange(LittleEndian32((uint)content.Length)); // ISIZE: the length modulo 2^32
        return [.. output];
    }

    private static byte[] LittleEndian16(int value) => unchecked([(byte)value, (byte)(value >> 8)]);

    private static byte[] LittleEndian32(uint value) => unchecked([(byte)value, (byte)(value >> 8), (byte)(value >> 16), (byte)(value >> 24)]);

    /// <summary>CRC-32 as gzip defines it (RFC 1952 §8: reflected polynomial 0xEDB88320).</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFF_FFFFu;
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] CreateCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB8_8320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
