namespace Recorder.Reporting.Document;

/// <summary>
/// The XMP <c>xmpMM:DocumentID</c> and <c>xmpMM:InstanceID</c> of a report, derived from the report
/// instead of PDFsharp's random UUIDs so the same model renders to the same bytes
/// (<see cref="Pdf.XmpPacket"/> writes them).
/// </summary>
internal static class XmpIdentifiers
{
    /// <summary>An RFC 9562 version 8 (custom) UUID made of 16 bytes of a hash.</summary>
    public static Guid Uuid(ReadOnlySpan<byte> hash)
    {
        Span<byte> b = stackalloc byte[16];
        hash[..16].CopyTo(b);
        b[6] = (byte)((b[6] & 0x0F) | 0x80); // version 8, in the big-endian layout
        b[8] = (byte)((b[8] & 0x3F) | 0x80); // RFC variant
        return new Guid(b, bigEndian: true);
    }
}
