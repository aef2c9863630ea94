using System.Security.Cryptography;
using System.Text;
using PdfSharp.Pdf;
using Recorder.Reporting.Document;
using Recorder.Reporting.Fonts;
using Recorder.Reporting.Layout;
using Recorder.Reporting.Model;
using Recorder.Reporting.Pdf;
using Recorder.Reporting.Templates;

namespace Recorder.Reporting;

/// <summary>
/// Renders the court-ready evidence report (<c>report.pdf</c>) of an evidence package from a
/// <see cref="ReportModel"/>: cover, contents, request and scope, summary with a traffic chart,
/// evidence files, provenance, chain of custody, method, independent verification, and the
/// certification pages of <see cref="CertificationTemplateSet"/>. Fonts are embedded; every page
/// carries the case id and report id and "Page X of Y".
/// </summary>
/// <remarks>
/// The output depends only on the model, the templates and the options: the PDF's dates come from
/// <see cref="PackageBuild.BuiltAt"/>, its file identifier from the report id and manifest hash, and
/// the font subset tags from those, so rendering the same model twice gives the same bytes. Instances are immutable and may render
/// on several threads at once.
/// </remarks>
public sealed class ReportRenderer
{
    private readonly CertificationTemplateSet _templates;
    private readonly ReportOptions _options;

    /// <summary>Creates a renderer that ends each report with <paramref name="certifications"/>.</summary>
    public ReportRenderer(CertificationTemplateSet certifications, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(certifications);
        _templates = certifications;
        _options = options ?? new ReportOptions();
        _options.Validate();
    }

    /// <summary>
    /// Writes the report for <paramref name="model"/> to <paramref name="output"/> (left open) and
    /// returns its page count. Throws <see cref="InvalidReportModelException"/> naming the field
    /// when the model holds a value the report cannot state, before anything is written.
    /// </summary>
    public int Render(ReportModel model, Stream output)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(output);
        ReportModelValidator.Validate(model);
        ReportFontSetup.Ensure();

        var geometry = _options.PageSize == ReportPageSize.A4 ? PageGeometry.A4 : PageGeometry.Letter;
        var style = new ReportStyle();
        using var document = new PdfDocument();
        var digest = Describe(document, model);

        ReportComposer composer;
        using (var flow = new PageFlow(document, style, geometry))
        {
            composer = new ReportComposer(model, _options, _templates, flow);
            composer.Compose();
        }

        PageChrome.Draw(document, style, geometry, model, composer.ContentsPage, composer.ContentsTop, composer.Outline);
        FontSubsetTags.MakeDeterministic(document, document.Internals.FirstDocumentID);
        PdfArchival.AddOutputIntent(document);
        var pages = document.PageCount;
        using var buffer = new MemoryStream();
        document.Save(buffer, false);
        var bytes = buffer.GetBuffer().AsSpan(0, checked((int)buffer.Length));
        var xmp = XmpPacket.Build(document.Info, XmpIdentifiers.Uuid(digest.AsSpan(0, 16)), XmpIdentifiers.Uuid(digest.AsSpan(16, 16)));

        // Rewritten in memory and written whole: a failure leaves nothing half-written in output.
        output.Write(PdfArchival.Finish(bytes.ToArray(), xmp));
        return pages;
    }

    private static byte[] Describe(PdfDocument document, ReportModel model)
    {
        var info = document.Info;
        info.Title = $"Network traffic evidence report {model.ReportId}, case {model.Case.Id}";
        info.Author = model.Build.Actor;
        info.Subject = $"Case {model.Case.Id}: {model.Case.Title}. Evidence package manifest SHA-256 {model.ManifestSha256}";
        info.Keywords = $"case {model.Case.Id}; report {model.ReportId}; manifest-sha256 {model.ManifestSha256}";
        info.Creator = $"{model.Tool.Name} {model.Tool.Version} ({model.Tool.SourceRevision})";
        var created = model.Build.BuiltAt.ToDateTimeOffset().UtcDateTime;
        info.CreationDate = created;
        info.ModificationDate = created;

        // The file identifier (PDF 32000-1 §14.4) is random by default; derive it from what
        // identifies the report so the same model renders to the same bytes.
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{model.ReportId}\n{model.ManifestSha256}\n{model.Build.BuiltAt}"));
        var id = new string(digest.AsSpan(0, 16).ToArray().Select(b => (char)b).ToArray());
        document.Internals.FirstDocumentID = id;
        document.Internals.SecondDocumentID = id;
        return digest;
    }
}
