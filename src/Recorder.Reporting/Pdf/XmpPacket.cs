using System.Globalization;
using System.Security;
using System.Text;
using PdfSharp.Pdf;

namespace Recorder.Reporting.Pdf;

/// <summary>
/// The report's XMP metadata packet (ISO 16684-1; PDF 32000-1 §14.3.2), written here rather than
/// taken from PDFsharp: PDFsharp 6.2.4 copies the document information into XML unescaped, so a case
/// title with "&amp;" or "&lt;" gave a packet no XML parser reads, and it cannot declare PDF/A.
/// The packet states the same values as the document information dictionary (ISO 19005-2 §6.6.2.3
/// requires them to agree), the PDF/A-2b identification (§6.6.4) and the derived document and
/// instance ids that keep the output reproducible.
/// </summary>
internal static class XmpPacket
{
    /// <summary>The packet stating <paramref name="info"/> as it is after saving (PDFsharp sets the producer then).</summary>
    public static byte[] Build(PdfDocumentInformation info, Guid documentId, Guid instanceId)
    {
        ArgumentNullException.ThrowIfNull(info);
        var created = Date(info.CreationDate);
        var modified = Date(info.ModificationDate);
        var text = $"""
            <?xpacket begin="{'\uFEFF'}" id="W5M0MpCehiHzreSzNTczkc9d"?>
            <x:xmpmeta xmlns:x="adobe:ns:meta/">
              <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
                <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
                  <pdfaid:part>2</pdfaid:part>
                  <pdfaid:conformance>B</pdfaid:conformance>
                </rdf:Description>
                <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
                  <pdf:Producer>{Escape(info.Producer)}</pdf:Producer>
                  <pdf:Keywords>{Escape(info.Keywords)}</pdf:Keywords>
                </rdf:Description>
                <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
                  <dc:format>application/pdf</dc:format>
                  <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{Escape(info.Title)}</rdf:li></rdf:Alt></dc:title>
                  <dc:creator><rdf:Seq><rdf:li>{Escape(info.Author)}</rdf:li></rdf:Seq></dc:creator>
                  <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{Escape(info.Subject)}</rdf:li></rdf:Alt></dc:description>
                </rdf:Description>
                <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
                  <xmp:CreatorTool>{Escape(info.Creator)}</xmp:CreatorTool>
                  <xmp:CreateDate>{created}</xmp:CreateDate>
                  <xmp:ModifyDate>{modified}</xmp:ModifyDate>
                </rdf:Description>
                <rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">
                  <xmpMM:DocumentID>uuid:{documentId:D}</xmpMM:DocumentID>
                  <xmpMM:InstanceID>uuid:{instanceId:D}</xmpMM:InstanceID>
                </rdf:Description>
              </rdf:RDF>
            </x:xmpmeta>
            <?xpacket end="r"?>
            """;
        return Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\n"));
    }

    // The information dictionary holds seconds (D:YYYYMMDDHHmmSS); the XMP date says the same instant.
    private static string Date(DateTime value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Escape(string? value) => SecurityElement.Escape(value ?? string.Empty);
}
