using System.Globalization;
using PdfSharp.Drawing;
using Recorder.Reporting.Layout;
using Recorder.Reporting.Templates;

namespace Recorder.Reporting.Document;

/// <summary>The certification pages, laid out from the site's templates.</summary>
internal sealed partial class ReportComposer
{
    private void Certification(CertificationTemplate template)
    {
        _flow.NewPage();
        var values = TemplateValues.For(_model);
        var first = true;
        var blocks = template.Blocks;
        for (var i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i];
            KeepWithSignature(blocks, i, values);
            switch (block)
            {
                case TemplateHeading { Level: 1 } h:
                    var title = h.Text.Render(values);
                    if (first)
                    {
                        _outline.Add(new OutlineEntry(1, string.Empty, title, _flow.PageNumber));
                    }

                    Centered(title, _s.SerifTitle, _s.InkBrush, 4);
                    break;
                case TemplateHeading h:
                    Centered(h.Text.Render(values), _s.SerifSubtitle, _s.MutedBrush, 4);
                    _flow.Y += 4;
                    _flow.Rule(_s.Rule, 0.5, 0, 12);
                    break;
                case TemplateParagraph p when p.Marker is not null:
                    _flow.Paragraph(p.Text.Render(values), _s.Serif, _s.InkBrush, spaceAfter: 7, marker: p.Marker, markerWidth: 20);
                    break;
                case TemplateParagraph p:
                    _flow.Paragraph(p.Text.Render(values), _s.Serif, _s.InkBrush, spaceAfter: 7);
                    break;
                case TemplateNote n:
                    _flow.Y += 4;
                    _flow.EnsureSpace(30);
                    _flow.Gfx.DrawLine(new XPen(_s.Rule, 0.4), _flow.Left, _flow.Y, _flow.Left + 120, _flow.Y);
                    _flow.Y += 4;
                    _flow.Paragraph(n.Text.Render(values), _s.SerifSmall, _s.MutedBrush, spaceAfter: 4);
                    break;
                case TemplateBlockPlaceholder b:
                    CertificationBlock(b.Name);
                    break;
                default:
                    throw new InvalidOperationException($"Unexpected template block {block.GetType().Name}.");
            }

            first = false;
        }
    }

    // The closing statement ("I declare under penalty of perjury…", "Executed on…") stays on the
    // page of the signature lines: up to three plain paragraphs right before {{signature}}.
    private void KeepWithSignature(IReadOnlyList<TemplateBlock> blocks, int index, IReadOnlyDictionary<string, string> values)
    {
        static bool Plain(TemplateBlock b) => b is TemplateParagraph { Marker: null };

        var signature = index + (blocks[index] is TemplateParagraph { Marker: not null } ? 1 : 0);
        while (signature < blocks.Count && Plain(blocks[signature]))
        {
            signature++;
        }

        if (signature == index || signature >= blocks.Count || blocks[signature] is not TemplateBlockPlaceholder { Name: "signature" })
        {
            return;
        }

        // Act once, at the first paragraph of the (at most three) kept together.
        var first = signature;
        while (first > 0 && signature - first < 3 && Plain(blocks[first - 1]))
        {
            first--;
        }

        // The last numbered paragraph goes along, so the signature page never holds the signature alone.
        if (first > 0 && blocks[first - 1] is TemplateParagraph { Marker: not null })
        {
            first--;
        }

        if (index != first)
        {
            return;
        }

        var height = SignatureHeight;
        for (var j = first; j < signature; j++)
        {
            var p = (TemplateParagraph)blocks[j];
            height += _flow.MeasureParagraph(p.Text.Render(values), _s.Serif, _flow.Width - (p.Marker is null ? 0 : 20)) + 7;
        }

        _flow.EnsureSpace(height);
    }

    private void CertificationBlock(string name)
    {
        switch (name)
        {
            case "process":
                var letter = 'a';
                foreach (var (heading, paragraphs) in ProcessDescription.Build(_model))
                {
                    _flow.EnsureSpace(40);
                    _flow.Paragraph($"({letter}) {heading}", _s.SerifBold, _s.InkBrush, indent: 20, spaceAfter: 2);
                    foreach (var p in paragraphs)
                    {
                        _flow.Paragraph(p, _s.Serif, _s.InkBrush, indent: 20, spaceAfter: 5);
                    }

                    letter++;
                }

                _flow.Y += 3;
                break;
            case "hashes":
                var files = new Table(
                    [new Column("#", 0.06), new Column("File", 0.52), new Column("Packets", 0.18, true), new Column("Size (bytes)", 0.24, true)],
                    "Evidence files and hash values");
                files.Draw(_flow, _model.Files.Select((f, i) => new RowGroup(
                [
                    new Row([new Cell((i + 1).ToString(CultureInfo.InvariantCulture)), new Cell(f.Name, _s.Mono), new Cell(Fmt.Count(f.Packets)), new Cell(Fmt.Count(f.SizeBytes))]),
                    new Row([new Cell(string.Empty), HashLine("SHA-256", f.Sha256, 3)]),
                    new Row([new Cell(string.Empty), HashLine("SHA-1", f.Sha1, 3)]),
                    new Row([new Cell(string.Empty), HashLine("MD5", f.Md5, 3)]),
                ])).ToArray());
                break;
            case "segments":
                var segments = new Table(
                    [new Column("#", 0.06), new Column("Segment", 0.62), new Column("Packets", 0.32, true)],
                    "Sealed segments and hash values");
                segments.Draw(_flow, _model.Provenance.Segments.Select((s, i) => new RowGroup(
                [
                    new Row([new Cell((i + 1).ToString(CultureInfo.InvariantCulture)), new Cell(s.Id, _s.Mono), new Cell(Fmt.Count(s.Packets))]),
                    new Row([new Cell(string.Empty), Sub("Time range", Fmt.Range(s.First, s.Last), 2)]),
                    new Row([new Cell(string.Empty), HashLine("SHA-256", s.Sha256, 2)]),
                    new Row([new Cell(string.Empty), HashLine("Manifest", s.ManifestSha256, 2)]),
                ])).ToArray());
                break;
            case "verification":
                var number = 0;
                foreach (var step in _model.Verification.Steps)
                {
                    number++;
                    Step($"({Roman(number)})", 20, 34, step, _s.SerifBold, _s.Mono, _s.SerifSmall, 5);
                }

                break;
            case "signature":
                SignatureBlock();
                break;
            default:
                throw new InvalidOperationException($"No layout for the block placeholder {{{{{name}}}}}.");
        }
    }

    private const double SignatureRowHeight = 44;
    private const double SignatureHeight = (2 * SignatureRowHeight) + 20;

    private void SignatureBlock()
    {
        const double rowHeight = SignatureRowHeight;
        _flow.EnsureSpace(SignatureHeight);
        _flow.Y += 14;
        var gap = 24.0;
        var leftWidth = (_flow.Width - gap) * 0.6;
        var pen = new XPen(_s.Ink, 0.6);
        (string Left, string Right)[] rows =
        [
            ("Signature of declarant", "Date"),
            ("Printed name of declarant", "Qualification or title"),
        ];
        foreach (var (left, right) in rows)
        {
            var lineY = _flow.Y + rowHeight - 16;
            _flow.Gfx.DrawLine(pen, _flow.Left, lineY, _flow.Left + leftWidth, lineY);
            _flow.Gfx.DrawLine(pen, _flow.Left + leftWidth + gap, lineY, _flow.Right, lineY);
            _flow.DrawLine(left, _s.SerifSmall, _s.MutedBrush, _flow.Left, lineY + 2);
            _flow.DrawLine(right, _s.SerifSmall, _s.MutedBrush, _flow.Left + leftWidth + gap, lineY + 2);
            _flow.Y += rowHeight;
        }

        _flow.Y += 6;
    }

    private static string Roman(int n) => n switch
    {
        <= 0 => n.ToString(CultureInfo.InvariantCulture),
        >= 40 => n.ToString(CultureInfo.InvariantCulture),
        _ => new string('x', n / 10) + new[] { "", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix" }[n % 10],
    };

    private void Centered(string text, XFont font, XBrush brush, double spaceAfter)
    {
        var lineHeight = ReportStyle.LineHeight(font);
        foreach (var line in _flow.Wrap(text, font, _flow.Width - 40))
        {
            _flow.EnsureSpace(lineHeight);
            var w = _flow.TextWidth(line, font);
            _flow.DrawLine(line, font, brush, _flow.Left + ((_flow.Width - w) / 2), _flow.Y);
            _flow.Y += lineHeight;
        }

        _flow.Y += spaceAfter;
    }
}
