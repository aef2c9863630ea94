using PdfSharp.Pdf;

namespace Recorder.Reporting.Pdf;

/// <summary>
/// What the report needs beyond PDFsharp's output to be a PDF/A-2b candidate (ISO 19005-2) and a
/// clean PDF (PDF 32000-1): before saving, an sRGB output intent (§6.2.3: device-dependent colour
/// needs one; the report draws in DeviceRGB); after saving, every FlateDecode stream re-encoded as a
/// complete zlib stream (<see cref="ZlibStreams"/>), the XMP packet replaced by
/// <see cref="XmpPacket"/> (which declares <c>pdfaid:part</c> 2, <c>pdfaid:conformance</c> B,
/// §6.6.4), and the pages' transparency groups removed. See docs/report.md for what is and
/// is not claimed.
/// </summary>
internal static class PdfArchival
{
    /// <summary>The output condition named in the output intent (ICC registry name of sRGB).</summary>
    public const string OutputCondition = "sRGB IEC61966-2.1";

    /// <summary>Adds the sRGB output intent to the catalog (call before saving).</summary>
    public static void AddOutputIntent(PdfDocument document)
    {
        var profile = new PdfDictionary(document);
        profile.Elements.SetInteger("/N", 3);
        profile.Elements.SetName("/Filter", "/FlateDecode");
        profile.CreateStream(ZlibStreams.Encode(SrgbProfile()));
        document.Internals.AddObject(profile);

        var intent = new PdfDictionary(document);
        intent.Elements.SetName("/Type", "/OutputIntent");
        intent.Elements.SetName("/S", "/GTS_PDFA1");
        intent.Elements.SetString("/OutputConditionIdentifier", OutputCondition);
        intent.Elements.SetString("/Info", OutputCondition);
        intent.Elements.SetReference("/DestOutputProfile", profile);
        document.Internals.Catalog.Elements["/OutputIntents"] = new PdfArray(document, intent);
    }

    /// <summary>
    /// The saved PDF with complete zlib streams, <paramref name="xmp"/> as its metadata and no page
    /// transparency groups. Throws <see cref="ReportPdfStructureException"/> when the file is
    /// not laid out as expected.
    /// </summary>
    public static byte[] Finish(byte[] saved, byte[] xmp) => PdfObjectRewriter.Rewrite(saved, stream => Stream(stream, xmp), WithoutTransparencyGroup);

    private static byte[]? Stream(PdfStreamObject stream, byte[] xmp)
    {
        if (stream.Dictionary.Type == "/Metadata" && stream.Dictionary.Subtype == "/XML")
        {
            // PDF/A wants the packet readable without decoding: it stays unfiltered.
            return stream.Dictionary.Filters.Count == 0
                ? xmp
                : throw new ReportPdfStructureException(stream.Number, 0, "the XMP metadata stream is expected unfiltered");
        }

        return stream.Dictionary.Filters switch
        {
            [] => null,
            ["/FlateDecode", ..] => ZlibStreams.Reencode(stream.Data, stream.Number),
            var filters when filters.Contains("/FlateDecode") =>
                throw new ReportPdfStructureException(stream.Number, 0, "FlateDecode after another filter is not expected"),
            _ => null,
        };
    }

    // PDFsharp gives every page it draws on a transparency group (/Group << /S /Transparency >>),
    // though the report draws only opaquely (its one graphics state sets /CA 1 and /ca 1), so the
    // group changes nothing on the page. It is dropped: the report then has no transparency at all,
    // the simplest case for PDF/A-2b readers and validators.
    private static byte[]? WithoutTransparencyGroup(byte[] pdf, PdfDictionaryText dictionary)
    {
        if (dictionary.Type != "/Page" || dictionary.Find("/Group") is not { } group || !group.Value.Contains("/Transparency", StringComparison.Ordinal))
        {
            return null;
        }

        return [.. pdf.AsSpan(dictionary.Start, group.KeyAt - dictionary.Start), .. pdf.AsSpan(group.ValueEnd, dictionary.End - group.ValueEnd)];
    }

    private static byte[] SrgbProfile()
    {
        using var stream = typeof(PdfArchival).Assembly.GetManifestResourceStream("Recorder.Reporting.Color.sRGB.icc")
            ?? throw new InvalidOperationException("the embedded resource Recorder.Reporting.Color.sRGB.icc is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
