using Recorder.Reporting.Model;
using UglyToad.PdfPig.Content;

namespace Recorder.Reporting.Tests.Document;

/// <summary>
/// Geometry of the rendered text: nothing runs off the page or into the margins, and no two glyphs
/// overlap (which is what text drawn over text looks like).
/// </summary>
public sealed class LayoutGeometryTests
{
    public static TheoryData<string> Models() => ["typical", "large", "long-values", "a4"];

    [Theory]
    [MemberData(nameof(Models))]
    public void Render_KeepsEveryGlyphInsideTheMarginsAndApartFromTheOthers(string which)
    {
        var (model, options) = which switch
        {
            "typical" => (SampleReports.Typical(), null),
            "large" => (SampleReports.Large(), null),
            "long-values" => (LongValues(), null),
            _ => (SampleReports.Typical(), new ReportOptions { PageSize = ReportPageSize.A4 }),
        };
        var (pdf, _) = RenderHarness.Render(model, options: options);
        using var document = RenderHarness.Open(pdf);
        foreach (var page in document.GetPages())
        {
            var letters = page.Letters.Where(l => !string.IsNullOrWhiteSpace(l.Value) && l.BoundingBox.Width > 0).ToArray();
            foreach (var l in letters)
            {
                var box = l.BoundingBox;
                Assert.True(box.Left >= 60 && box.Right <= page.Width - 58 && box.Bottom >= 30 && box.Top <= page.Height - 30,
                    $"page {page.Number}: '{l.Value}' at ({box.Left:0.0}, {box.Bottom:0.0})-({box.Right:0.0}, {box.Top:0.0}) is outside the text area");
            }

            var overlap = FirstOverlap(letters);
            Assert.True(overlap is null, $"page {page.Number}: {overlap}");
        }
    }

    private static string? FirstOverlap(Letter[] letters)
    {
        const double cell = 6;
        var grid = new Dictionary<(int, int), List<(Letter Letter, int Index)>>();
        for (var index = 0; index < letters.Length; index++)
        {
            var l = letters[index];
            var key = ((int)(l.BoundingBox.Centroid.X / cell), (int)(l.BoundingBox.Centroid.Y / cell));
            for (var dx = -1; dx <= 1; dx++)
            {
                for (var dy = -1; dy <= 1; dy++)
                {
                    if (!grid.TryGetValue((key.Item1 + dx, key.Item2 + dy), out var near))
                    {
                        continue;
                    }

                    foreach (var (other, otherIndex) in near)
                    {
                        // Neighbouring glyphs of one run may touch (italic f overhangs the next letter).
                        if (otherIndex == index - 1)
                        {
                            continue;
                        }

                        var a = l.BoundingBox;
                        var b = other.BoundingBox;
                        var w = Math.Min(a.Right, b.Right) - Math.Max(a.Left, b.Left);
                        var h = Math.Min(a.Top, b.Top) - Math.Max(a.Bottom, b.Bottom);
                        var smaller = Math.Min(a.Width * a.Height, b.Width * b.Height);
                        if (w > 0 && h > 0 && w * h > 0.25 * smaller)
                        {
                            return $"'{other.Value}' and '{l.Value}' overlap at ({a.Left:0.0}, {a.Bottom:0.0})";
                        }
                    }
                }
            }

            if (!grid.TryGetValue(key, out var list))
            {
                grid[key] = list = [];
            }

            list.Add((l, index));
        }

        return null;
    }

    /// <summary>Values longer than any column: long names, a long title, unbroken tokens, accented letters.</summary>
    internal static ReportModel LongValues()
    {
        var m = SampleReports.Typical();
        return m with
        {
            Case = new CaseInfo("2026-CR-0142-SUPERSEDING-INDICTMENT-COUNT-7", "In re Grand Jury Subpoena to Acme Research & Development GmbH (Zürich), José Müller-Lüdenscheidt, Søren Kierkegaard-Ødegård and others, concerning the transfer of design files between 1 and 3 November 2026"),
            Request = new EvidenceRequest("Inspector Zoë Ólafsdóttir-Papadopoulou, Economic Crime Division, Metropolitan Investigations Bureau", string.Join(' ', Enumerable.Repeat("Establish which hosts exchanged traffic with the exfiltration server during the window named in the warrant.", 4))),
            Queries = [m.Queries[0] with { Filter = "host 10.20.30.41 and (port 443 or port 8443 or port 993) and not net 10.0.0.0/8 and not host 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, from 2026-11-02T08:00:00Z to 2026-11-03T08:00:00Z" }],
            Build = m.Build with { Actor = "averyveryveryverylongaccountname.with.dots@forensics-workstation-number-0001.eu-central.example.org" },
            Files = [m.Files[0] with { Name = "evidence/q-7f3a9c01-host-10.20.30.41-and-not-net-10.0.0.0_8-from-2026-11-02T08-00-00Z-to-2026-11-03T08-00-00Z.pcapng", LinkTypes = [1, 113, 276, 12, 127] }],
            Custody = m.Custody with
            {
                Entries = m.Custody.Entries.Select(e => e with
                {
                    Actor = "svc-recorder-capture-daemon@sensor-03.datacenter-west.example.org",
                    Subject = "extraction of query q-7f3a9c01 for case 2026-CR-0142-SUPERSEDING-INDICTMENT-COUNT-7 into evidence/q-7f3a9c01.pcapng",
                }).ToArray(),
            },
        };
    }
}
