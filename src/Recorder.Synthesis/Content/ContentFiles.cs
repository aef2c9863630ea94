using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Recorder.Synthesis.Randomness;

namespace Recorder.Synthesis.Content;

/// <summary>
/// Files for the SMTP and FTP conversations: random bytes behind the magic number of a known type
/// (so the truth can name the type its content has, without asking Recorder's own type detection),
/// and their hashes.
/// </summary>
internal static class ContentFiles
{
    public static byte[] Pdf(SeededRandom random)
    {
        var text = new StringBuilder("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n");
        for (var i = 1; i <= 4 + random.NextInt32(6); i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i} 0 obj\n<< /Length {random.NextInt32(5000)} >>\nstream\n{random.NextUInt64():x16}\nendstream\nendobj\n");
        }

        return [.. Encoding.Latin1.GetBytes(text.ToString()), .. Random(random, 1500 + random.NextInt32(3000)), .. "\n%%EOF\n"u8];
    }

    public static byte[] Png(SeededRandom random) =>
        [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, .. "IHDR"u8, .. Random(random, 800 + random.NextInt32(2000))];

    /// <summary>UTF-8 text with CRLF line ends, non-ASCII letters, '=' signs, trailing spaces and lines over 76 characters: what quoted-printable must escape and break.</summary>
    public static byte[] Text(SeededRandom random)
    {
        var text = new StringBuilder();
        for (var i = 0; i < 12 + random.NextInt32(12); i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"Zeile {i}: Größe = {random.NextInt32(100_000)} € ");
            text.Append(i % 3 == 0 ? new string('x', 60 + random.NextInt32(40)) : "naïve café ");
            text.Append(i % 4 == 1 ? "  \r\n" : "\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public static byte[] Elf(SeededRandom random) =>
        [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, .. Random(random, 3000 + random.NextInt32(6000))];

    /// <summary>A gzip member (stored blocks) of text lines: several TCP segments long.</summary>
    public static byte[] GzipText(SeededRandom random) => Gzip.Stored(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 100 + random.NextInt32(200))
        .Select(i => string.Create(CultureInfo.InvariantCulture, $"{i:D6} {random.NextUInt64():x16} {random.NextUInt64():x16}\n")))));

    public static ContentFile Describe(string name, byte[] content, string type, string mediaType) =>
        new(name, content.Length, Convert.ToHexStringLower(SHA256.HashData(content)), Sha1(content), Md5(content), type, mediaType);

    private static byte[] Random(SeededRandom random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

#pragma warning disable CA5350, CA5351 // SHA-1 and MD5 are what investigators' tools list beside SHA-256; identifiers here, not security controls.
    private static string Sha1(byte[] content) => Convert.ToHexStringLower(SHA1.HashData(content));

    private static string Md5(byte[] content) => Convert.ToHexStringLower(MD5.HashData(content));
#pragma warning restore CA5350, CA5351
}
