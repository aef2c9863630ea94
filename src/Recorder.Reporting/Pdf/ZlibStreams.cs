using System.IO.Compression;

namespace Recorder.Reporting.Pdf;

/// <summary>
/// FlateDecode data as PDF 32000-1 §7.4.4 defines it: a zlib stream (RFC 1950), i.e. a two-byte
/// header, the deflate data (RFC 1951) and the Adler-32 checksum of the uncompressed bytes.
/// PDFsharp 6.2.4 on .NET writes the header and deflate data but no checksum: `qpdf --check` warns
/// "input stream is complete but output may still be valid" for every such stream, and a reader
/// that checks the Adler-32 (as zlib's inflate does by default) reports the stream as damaged. <see cref="Reencode"/> inflates what PDFsharp wrote and writes a complete zlib
/// stream with the framework's <see cref="ZLibStream"/>.
/// </summary>
internal static class ZlibStreams
{
    /// <summary>The same bytes, re-encoded as a complete zlib stream.</summary>
    public static byte[] Reencode(byte[] zlib, int objectNumber) => Encode(Inflate(zlib, objectNumber));

    /// <summary><paramref name="data"/> as a complete zlib stream (header, deflate data, Adler-32).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>
    /// Inflates a zlib stream whose Adler-32 may be missing (as PDFsharp writes it). The header is
    /// checked (RFC 1950 §2.2: method 8, check bits); the deflate data must end properly.
    /// </summary>
    public static byte[] Inflate(byte[] zlib, int objectNumber)
    {
        if (zlib.Length < 2 || (zlib[0] & 0x0F) != 8 || ((zlib[0] << 8) | zlib[1]) % 31 != 0 || (zlib[1] & 0x20) != 0)
        {
            throw new ReportPdfStructureException(objectNumber, 0, "a FlateDecode stream without a zlib header (RFC 1950 §2.2)");
        }

        try
        {
            using var deflate = new DeflateStream(new MemoryStream(zlib, 2, zlib.Length - 2), CompressionMode.Decompress);
            using var output = new MemoryStream(zlib.Length * 4);
            deflate.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new ReportPdfStructureException($"report.pdf as saved by PDFsharp, object {objectNumber}: its FlateDecode data does not inflate", e);
        }
    }
}
