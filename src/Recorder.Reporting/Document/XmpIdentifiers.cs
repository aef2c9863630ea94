using System.Text;

namespace Recorder.Reporting.Document;

/// <summary>
/// PDFsharp writes the XMP metadata packet (PDF 32000-1 §14.3.2) while saving, with random
/// <c>xmpMM:DocumentID</c> and <c>xmpMM:InstanceID</c> UUIDs and no way to choose them. The packet
/// is stored uncompressed, so the saved bytes are patched in place with UUIDs derived from the
/// report: same length, so every offset in the cross-reference table stays right.
/// </summary>
internal static class XmpIdentifiers
{
    private static readonly byte[] DocumentTag = Encoding.ASCII.GetBytes("<xmpMM:DocumentID>uuid:");
    private static readonly byte[] InstanceTag = Encoding.ASCII.GetBytes("<xmpMM:InstanceID>uuid:");

    /// <summary>An RFC 9562 version 8 (custom) UUID made of 16 bytes of a hash.</summary>
    public static Guid Uuid(ReadOnlySpan<byte> hash)
    {
        Span<byte> b = stackalloc byte[16];
        hash[..16].CopyTo(b);
        b[6] = (byte)((b[6] & 0x0F) | 0x80); // version 8, in the big-endian layout
        b[8] = (byte)((b[8] & 0x3F) | 0x80); // RFC variant
        return new Guid(b, bigEndian: true);
    }

    /// <summary>Replaces both UUIDs; returns false (changing nothing) unless each occurs exactly once.</summary>
    public static bool Replace(Span<byte> pdf, Guid documentId, Guid instanceId)
    {
        var documentAt = FindOnce(pdf, DocumentTag);
        var instanceAt = FindOnce(pdf, InstanceTag);
        if (documentAt < 0 || instanceAt < 0)
        {
            return false;
        }

        Encoding.ASCII.GetBytes(documentId.ToString("D")).CopyTo(pdf[(documentAt + DocumentTag.Length)..]);
        Encoding.ASCII.GetBytes(instanceId.ToString("D")).CopyTo(pdf[(instanceAt + InstanceTag.Length)..]);
        return true;
    }

    private static int FindOnce(ReadOnlySpan<byte> pdf, ReadOnlySpan<byte> tag)
    {
        var at = pdf.IndexOf(tag);
        if (at < 0 || pdf[(at + 1)..].IndexOf(tag) >= 0 || at + tag.Length + 36 > pdf.Length)
        {
            return -1;
        }

        // Only a UUID of the usual 36 characters is replaced.
        var value = pdf.Slice(at + tag.Length, 36);
        for (var i = 0; i < value.Length; i++)
        {
            var dash = i is 8 or 13 or 18 or 23;
            if (dash ? value[i] != '-' : !char.IsAsciiHexDigit((char)value[i]))
            {
                return -1;
            }
        }

        return at;
    }
}
