using System.Globalization;
using PdfSharp.Drawing;
using Recorder.Core.Packets;
using Recorder.Reporting.Layout;
using Recorder.Reporting.Model;
using Recorder.Reporting.Templates;

namespace Recorder.Reporting.Document;

/// <summary>
/// Lays out the report's content, section by section, in reading order. Page furniture (running
/// header, "Page X of Y", the contents page) is drawn afterwards by <see cref="PageChrome"/>, once
/// the page count and every heading's page are known.
/// </summary>
internal sealed partial class ReportComposer
{
    private const double HashLabelWidth = 60;

    private readonly ReportModel _model;
    private readonly ReportOptions _options;
    private readonly CertificationTemplateSet _templates;
    private readonly PageFlow _flow;
    private readonly ReportStyle _s;
    private readonly List<OutlineEntry> _outline = [];
    private int _section;
    private int _subsection;
    private int _figure;

    public ReportComposer(ReportModel model, ReportOptions options, CertificationTemplateSet templates, PageFlow flow)
    {
        _model = model;
        _options = options;
        _templates = templates;
        _flow = flow;
        _s = flow.Style;
    }

    public IReadOnlyList<OutlineEntry> Outline => _outline;

    /// <summary>1-based page reserved for the contents.</summary>
    public int ContentsPage { get; private set; }

    /// <summary>Where the contents entries start on <see cref="ContentsPage"/>.</summary>
    public double ContentsTop { get; private set; }

    public void Compose()
    {
        Cover();
        _flow.NewPage();
        ContentsPage = _flow.PageNumber;
        ContentsTop = ContentsHeading();
        _flow.NewPage();
        RequestSection();
        SummarySection();
        EvidenceSection();
        ProvenanceSection();
        CustodySection();
        MethodSection();
        VerificationSection();
        foreach (var template in _templates.Templates)
        {
            Certification(template);
        }
    }

    // ---------------------------------------------------------------- headings and small pieces

    private void Heading1(string title, bool newPage = false)
    {
        _section++;
        _subsection = 0;
        if (newPage && _flow.Y > _flow.Top + 1)
        {
            _flow.NewPage();
        }
        else if (_flow.Y > _flow.Top + 1)
        {
            _flow.Y += 14;
            _flow.EnsureSpace(140);
        }

        var number = _section.ToString(CultureInfo.InvariantCulture);
        _outline.Add(new OutlineEntry(1, number, title, _flow.PageNumber));
        var font = _s.Heading1;
        _flow.DrawLine(number, font, _s.AccentBrush, _flow.Left, _flow.Y);
        _flow.DrawLine(title, font, _s.AccentBrush, _flow.Left + 24, _flow.Y);
        _flow.Y += ReportStyle.LineHeight(font) + 1;
        _flow.Gfx.DrawLine(new XPen(_s.Accent, 0.9), _flow.Left, _flow.Y, _flow.Right, _flow.Y);
        _flow.Y += 9;
    }

    private void Heading2(string title, double keepWith = 90)
    {
        _subsection++;
        _flow.Y += 6;
        _flow.EnsureSpace(keepWith);
        var number = $"{_section}.{_subsection}";
        _outline.Add(new OutlineEntry(2, number, title, _flow.PageNumber));
        var font = _s.Heading2;
        _flow.DrawLine(number, font, _s.AccentBrush, _flow.Left, _flow.Y);
        _flow.DrawLine(title, font, _s.AccentBrush, _flow.Left + 30, _flow.Y);
        _flow.Y += ReportStyle.LineHeight(font) + 4;
    }

    private void Text(string text) => _flow.Paragraph(text, _s.Body);

    private void NoteText(string text) => _flow.Paragraph(text, _s.Note, _s.MutedBrush, spaceAfter: 6);

    private void Caption(string text)
    {
        _flow.Paragraph(text, _s.Note, _s.MutedBrush, spaceAfter: 8);
    }

    private Cell Label(string text) => new(text, _s.SmallBold, Color: _s.Muted);

    private Cell Value(string text) => new(text, _s.Body);

    private Cell MonoValue(string text) => new(text, _s.MonoBody);

    private Cell HashLine(string label, string hash, int span) => new(hash, _s.Mono, span, Label: label, LabelWidth: HashLabelWidth);

    private Cell TimeCell(Core.Time.Timestamp time) => new(Fmt.Time(time), _s.Mono);

    private Cell Sub(string label, string text, int span) => new(text, _s.Small, span, Label: label, LabelWidth: HashLabelWidth);

    private Table KeyValueTable(string caption) =>
        new([new Column(string.Empty, 0.27), new Column(string.Empty, 0.73)], caption) { ShowHeader = false, Zebra = false };

    private static RowGroup Pair(Cell label, Cell value) => RowGroup.Of(label, value);

    // The heading is drawn now, the entries once every heading's page is known (PageChrome).
    private double ContentsHeading()
    {
        var font = _s.Heading1;
        _flow.DrawLine("Contents", font, _s.AccentBrush, _flow.Left, _flow.Y);
        _flow.Y += ReportStyle.LineHeight(font) + 1;
        _flow.Gfx.DrawLine(new XPen(_s.Accent, 0.9), _flow.Left, _flow.Y, _flow.Right, _flow.Y);
        return _flow.Y + 14;
    }

    // ---------------------------------------------------------------- cover

    private void Cover()
    {
        _flow.NewPage();
        var m = _model;
        var gfx = _flow.Gfx;
        gfx.DrawRectangle(new XSolidBrush(_s.Accent), _flow.Left, _flow.Top, _flow.Width, 4);
        _flow.Y = _flow.Top + 22;
        _flow.DrawLine("NETWORK TRAFFIC EVIDENCE REPORT", _s.SmallBold, _s.AccentBrush, _flow.Left, _flow.Y);
        _flow.Y += 20;
        _flow.Paragraph("Case " + m.Case.Id, _s.CoverTitle, _s.InkBrush, spaceAfter: 2);
        _flow.Paragraph(m.Case.Title, _s.CoverSubtitle, _s.MutedBrush, spaceAfter: 14);
        PartialNotice();

        var table = KeyValueTable("Report identification");
        var evidence = $"{Fmt.Plural(m.Files.Count, "capture file", "capture files")}, {Fmt.Plural(m.Files.Sum(f => f.Packets), "packet", "packets")}, "
            + Fmt.Range(m.Traffic.First, m.Traffic.Last);
        table.Draw(_flow,
        [
            Pair(Label("Report id"), MonoValue(m.ReportId)),
            Pair(Label("Case"), Value($"{m.Case.Id}: {m.Case.Title}")),
            Pair(Label("Requesting investigator"), Value(m.Request.Investigator)),
            Pair(Label("Reason for the request"), Value(m.Request.Reason)),
            Pair(Label("Package built by"), Value($"{m.Build.Actor} on host {m.Build.Host}")),
            .. m.Examiner is { } examiner ? (IEnumerable<RowGroup>)[Pair(Label("Examiner"), Value(examiner.ToString()))] : [],
            Pair(Label("Date and time (UTC)"), Value($"{Fmt.LongTime(m.Build.BuiltAt)}\n{Fmt.Time(m.Build.BuiltAt)}")),
            Pair(Label("Software"), Value($"{m.Tool.Name} {m.Tool.Version}, source revision {m.Tool.SourceRevision}")),
            Pair(Label("Evidence"), Value(evidence)),
            Pair(Label("Manifest SHA-256"), MonoValue(m.ManifestSha256)),
            Pair(Label("Signing key fingerprint"), MonoValue(m.Verification.SigningKeyFingerprint)),
        ]);

        _flow.Y += 8;
        var about =
            "This report describes the evidence package identified by the manifest SHA-256 value above: the network traffic it holds, "
            + "where that traffic came from, every recorded action on it, and how it was produced. All times are Coordinated Universal "
            + "Time (UTC), written as in RFC 3339 with nanoseconds. Hash values are hexadecimal. Every statement of fact in this report "
            + "can be checked against the package with standard tools, as set out in the section Independent verification. The "
            + "certifications at the end are ready to be completed and signed by a qualified person.";
        var width = _flow.Width - 20;
        var height = _flow.MeasureParagraph(about, _s.Small, width) + 26;
        _flow.EnsureSpace(height);
        gfx = _flow.Gfx;
        gfx.DrawRectangle(new XPen(_s.Rule, 0.5), new XSolidBrush(_s.ZebraFill), _flow.Left, _flow.Y, _flow.Width, height);
        _flow.DrawLine("About this report", _s.SmallBold, _s.AccentBrush, _flow.Left + 10, _flow.Y + 7);
        var y = _flow.Y + 7 + ReportStyle.LineHeight(_s.SmallBold) + 2;
        foreach (var line in _flow.Wrap(about, _s.Small, width))
        {
            _flow.DrawLine(line, _s.Small, _s.InkBrush, _flow.Left + 10, y);
            y += ReportStyle.LineHeight(_s.Small);
        }

        _flow.Y += height;
    }

    // ---------------------------------------------------------------- 1 request

    private void RequestSection()
    {
        var m = _model;
        Heading1("Request and scope");
        Text($"This report concerns case {m.Case.Id}, {m.Case.Title}. {m.Request.Investigator} requested the evidence for the following reason:");
        _flow.Paragraph("\u201c" + m.Request.Reason + "\u201d", _s.Body, _s.InkBrush, indent: 18, spaceAfter: 6);
        Text(m.Queries.Count == 0
            ? "No audited query is recorded for this package."
            : $"The package holds the packets that matched the following {Fmt.Plural(m.Queries.Count, "audited query", "audited queries")}, "
              + "each recorded in the custody ledger with its requester and reason. Filters select packets by address, port, protocol "
              + "and time window; a time window includes its start and excludes its end.");
        if (m.Queries.Count == 0)
        {
            return;
        }

        var table = new Table(
            [new Column("Query id", 0.19), new Column("Requested by", 0.19), new Column("Submitted (UTC)", 0.31), new Column("Completed (UTC)", 0.31)],
            "Audited queries");
        table.Draw(_flow, m.Queries.Select(q => new RowGroup(
        [
            new Row([new Cell(q.QueryId, _s.Mono), new Cell(q.Requester), TimeCell(q.SubmittedAt), q.CompletedAt is { } c ? TimeCell(c) : new Cell("not completed")]),
            new Row([Sub("Filter", q.Filter, 4)]),
            new Row([Sub("Reason", q.Reason, 4)]),
        ])).ToArray());
    }

    // ---------------------------------------------------------------- 2 summary

    private void SummarySection()
    {
        var m = _model;
        var t = m.Traffic;
        Heading1("Summary of the evidence");
        var fileBytes = m.Files.Sum(f => f.SizeBytes);
        var rows = new List<RowGroup>
        {
            Pair(Label("Evidence files"), Value($"{Fmt.Plural(m.Files.Count, "file", "files")}, {Fmt.Bytes(fileBytes)} in total")),
            Pair(Label("Packets"), Value(Fmt.Count(t.Packets))),
            Pair(Label("Captured bytes"), Value(Fmt.Bytes(t.Bytes) + " of packet data")),
            Pair(Label("First packet"), Value(Fmt.Time(t.First))),
            Pair(Label("Last packet"), Value(Fmt.Time(t.Last))),
        };
        if (t.First is { } first && t.Last is { } last)
        {
            rows.Add(Pair(Label("Time span"), Value(Fmt.Span(first, last))));
        }

        rows.Add(Pair(Label("Hosts"), Value(Fmt.Plural(t.Hosts.Count, "IP address", "distinct IP addresses"))));
        rows.Add(Pair(Label("Ports"), Value(Fmt.Plural(t.Ports.Count, "transport port", "distinct transport ports"))));
        rows.Add(Pair(Label("Protocols"), Value(t.Protocols.Count == 0
            ? "none"
            : string.Join(", ", t.Protocols.OrderByDescending(p => p.Packets).ThenBy(p => p.Protocol, StringComparer.Ordinal)
                .Select(p => $"{p.Protocol} {Fmt.Percent(p.Packets, t.Packets)}")))));
        KeyValueTable("Summary").Draw(_flow, rows);

        // The chart, kept whole with its caption.
        const double chartHeight = 250;
        _flow.EnsureSpace(chartHeight + 40);
        var area = new XRect(_flow.Left, _flow.Y, _flow.Width, chartHeight);
        var drawnWidth = TrafficChart.Draw(_flow, area, t.Series);
        _flow.Y += chartHeight + 4;
        _figure++;
        Caption($"Figure {_figure}. Packets (top) and captured bytes (bottom) of the evidence per {TrafficChart.Duration(drawnWidth)}, "
            + $"from {Fmt.Time(t.Series.Start)} (UTC).");

        Heading2("Hosts and ports", 140);
        var hostRows = Top(t.Hosts.OrderByDescending(h => h.Packets).ThenBy(h => h.Address, StringComparer.Ordinal).ToArray(), _options.TopHosts,
            h => [new Cell(h.Address, _s.Mono), new Cell(Fmt.Count(h.Packets)), new Cell(Fmt.Count(h.Bytes))],
            (n, rest) => [new Cell($"{Fmt.Count(n)} other {(n == 1 ? "host" : "hosts")}", _s.Note), new Cell(Fmt.Count(rest.Sum(h => h.Packets))), new Cell(Fmt.Count(rest.Sum(h => h.Bytes)))]);
        var portRows = Top(t.Ports.OrderByDescending(p => p.Packets).ThenBy(p => p.Transport, StringComparer.Ordinal).ThenBy(p => p.Port).ToArray(), _options.TopPorts,
            p => [new Cell($"{p.Transport} {p.Port.ToString(CultureInfo.InvariantCulture)}", _s.Mono), new Cell(Fmt.Count(p.Packets)), new Cell(Fmt.Count(p.Bytes))],
            (n, rest) => [new Cell($"{Fmt.Count(n)} other {(n == 1 ? "port" : "ports")}", _s.Note), new Cell(Fmt.Count(rest.Sum(p => p.Packets))), new Cell(Fmt.Count(rest.Sum(p => p.Bytes)))]);
        var hosts = new Table([new Column("Host (IP address)", 0.44), new Column("Packets", 0.24, true), new Column("Bytes", 0.32, true)], "Hosts");
        var ports = new Table([new Column("Port", 0.40), new Column("Packets", 0.26, true), new Column("Bytes", 0.34, true)], "Ports");
        var gap = 14.0;
        var half = (_flow.Width - gap) / 2;
        var height = Math.Max(hosts.Measure(_flow, half, hostRows), ports.Measure(_flow, half, portRows));
        if (height <= _flow.Bottom - _flow.Top - 40)
        {
            _flow.EnsureSpace(height);
            hosts.DrawAt(_flow, _flow.Left, half, hostRows);
            ports.DrawAt(_flow, _flow.Left + half + gap, half, portRows);
            _flow.Y += height + 4;
        }
        else
        {
            hosts.Draw(_flow, hostRows);
            ports.Draw(_flow, portRows);
        }

        NoteText("A packet counts for its source and for its destination, so the counts per host and per port add up to more than the "
            + "number of packets. Bytes are captured bytes of those packets.");

        Heading2("Protocols", 80);
        var protocols = new Table([new Column("Protocol", 0.40), new Column("Packets", 0.2, true), new Column("Share", 0.15, true), new Column("Bytes", 0.25, true)], "Protocols");
        protocols.Draw(_flow, t.Protocols.OrderByDescending(p => p.Packets).ThenBy(p => p.Protocol, StringComparer.Ordinal)
            .Select(p => RowGroup.Of(new Cell(p.Protocol), new Cell(Fmt.Count(p.Packets)), new Cell(Fmt.Percent(p.Packets, t.Packets)), new Cell(Fmt.Count(p.Bytes))))
            .ToArray());
    }

    private static RowGroup[] Top<T>(IReadOnlyList<T> sorted, int top, Func<T, Cell[]> row, Func<int, IEnumerable<T>, Cell[]> rest)
    {
        var rows = sorted.Take(top).Select(x => RowGroup.Of(row(x))).ToList();
        if (sorted.Count > top)
        {
            rows.Add(RowGroup.Of(rest(sorted.Count - top, sorted.Skip(top))));
        }

        return [.. rows];
    }

    // ---------------------------------------------------------------- 3 evidence

    private void EvidenceSection()
    {
        var m = _model;
        Heading1("Evidence files");
        Text($"The package holds {Fmt.Plural(m.Files.Count, "capture file", "capture files")} in its evidence folder. Each is listed with its "
            + "size, packet count, time range and hash values. The SHA-256 value is the one recorded in the signed manifest and in "
            + "SHA256SUMS; the SHA-1 and MD5 values are given for tools that still ask for them.");
        var table = new Table(
            [new Column("#", 0.05), new Column("File", 0.45), new Column("Packets", 0.14, true), new Column("Size (bytes)", 0.16, true), new Column("Link type", 0.20)],
            "Evidence files");
        var groups = m.Files.Select((f, i) => new RowGroup(
        [
            new Row([new Cell((i + 1).ToString(CultureInfo.InvariantCulture)), new Cell(f.Name, _s.Mono), new Cell(Fmt.Count(f.Packets)), new Cell(Fmt.Count(f.SizeBytes)),
                new Cell(f.LinkTypes.Count == 0 ? "\u2013" : string.Join(", ", f.LinkTypes.Select(l => $"{LinkTypes.Name(l)} ({l.ToString(CultureInfo.InvariantCulture)})")))]),
            new Row([new Cell(string.Empty), Sub("Time range", Fmt.Range(f.FirstPacket, f.LastPacket), 4)]),
            new Row([new Cell(string.Empty), HashLine("SHA-256", f.Sha256, 4)]),
            new Row([new Cell(string.Empty), HashLine("SHA-1", f.Sha1, 4)]),
            new Row([new Cell(string.Empty), HashLine("MD5", f.Md5, 4)]),
        ])).ToList();
        groups.Add(RowGroup.Of(new Cell(string.Empty), new Cell("Total", _s.SmallBold), new Cell(Fmt.Count(m.Files.Sum(f => f.Packets)), _s.SmallBold),
            new Cell(Fmt.Count(m.Files.Sum(f => f.SizeBytes)), _s.SmallBold), new Cell(string.Empty)));
        table.Draw(_flow, groups);
        TransferredFilesSection();
    }

    // ---------------------------------------------------------------- 4 provenance

    private void ProvenanceSection()
    {
        var m = _model;
        Heading1("Provenance");
        Heading2("Sealed segments");
        Text($"The evidence was read from {Fmt.Plural(m.Provenance.Segments.Count, "sealed segment", "sealed segments")} of the evidence store. "
            + "A segment's SHA-256 value is recorded in its manifest; the manifest is signed with the store's Ed25519 key. The signature "
            + "status is the result of checking that signature when the package was built.");
        var table = new Table(
            [new Column("#", 0.05), new Column("Segment", 0.37), new Column("Packets", 0.13, true), new Column("Signature", 0.45)],
            "Sealed segments");
        table.Draw(_flow, m.Provenance.Segments.Select((s, i) => new RowGroup(
        [
            new Row([new Cell((i + 1).ToString(CultureInfo.InvariantCulture)), new Cell(s.Id, _s.Mono), new Cell(Fmt.Count(s.Packets)), new Cell(s.SignatureStatus)]),
            new Row([new Cell(string.Empty), Sub("Time range", Fmt.Range(s.First, s.Last), 3)]),
            new Row([new Cell(string.Empty), HashLine("SHA-256", s.Sha256, 3)]),
            new Row([new Cell(string.Empty), HashLine("Manifest", s.ManifestSha256, 3)]),
        ])).ToArray());

        Heading2("Capture and import");
        if (m.Provenance.Acquisitions.Count == 0)
        {
            Text("The package does not describe how the segments were acquired.");
            return;
        }

        var number = 0;
        foreach (var a in m.Provenance.Acquisitions)
        {
            number++;
            var title = a.Kind == AcquisitionKind.Capture
                ? $"Capture {number}: interface {a.Interface}"
                : $"Import {number}: {Fmt.Plural(a.OriginalFiles.Count, "file", "files")}";
            _flow.EnsureSpace(100);
            _flow.DrawLine(title, _s.BodyBold, _s.InkBrush, _flow.Left, _flow.Y);
            _flow.Y += ReportStyle.LineHeight(_s.BodyBold) + 2;
            var rows = new List<RowGroup>
            {
                Pair(Label("Kind"), Value(a.Kind == AcquisitionKind.Capture ? "Live capture" : "Import of capture files")),
                Pair(Label("By"), Value($"{a.Actor} on host {a.Host}")),
                Pair(Label("Started"), Value(Fmt.Time(a.StartedAt))),
                Pair(Label("Ended"), Value(a.EndedAt is { } e ? Fmt.Time(e) : "not recorded")),
            };
            if (a.Kind == AcquisitionKind.Capture)
            {
                rows.Add(Pair(Label("Interface"), MonoValue(a.Interface ?? string.Empty)));
                rows.Add(Pair(Label("Capture filter"), string.IsNullOrWhiteSpace(a.Filter) ? Value("none (all traffic)") : MonoValue(a.Filter)));
                if (a.SnapLength is { } snap)
                {
                    rows.Add(Pair(Label("Snap length"), Value(Fmt.Count(snap) + " bytes")));
                }

                rows.Add(Pair(Label("Dropped packets"), Value(DropText(a.Drops))));
            }

            if (a.SegmentIds.Count > 0)
            {
                rows.Add(Pair(Label("Segments"), new Cell(string.Join(", ", a.SegmentIds), _s.Mono)));
            }

            if (!string.IsNullOrWhiteSpace(a.Notes))
            {
                rows.Add(Pair(Label("Notes"), Value(a.Notes)));
            }

            KeyValueTable(title).Draw(_flow, rows);
            if (a.OriginalFiles.Count > 0)
            {
                var files = new Table([new Column("Original file", 0.7), new Column("Size (bytes)", 0.3, true)], "Original files of import " + number.ToString(CultureInfo.InvariantCulture));
                files.Draw(_flow, a.OriginalFiles.Select(o => new RowGroup(
                [
                    new Row([new Cell(o.Name, _s.Mono), new Cell(Fmt.Count(o.SizeBytes))]),
                    new Row([HashLine("SHA-256", o.Sha256, 2)]),
                ])).ToArray());
            }

            _flow.Y += 4;
        }
    }

    private static string DropText(DropCounters? drops)
    {
        if (drops is null)
        {
            return "not recorded";
        }

        static string One(long? n) => n is { } v ? Fmt.Count(v) : "not reported";
        return $"kernel {One(drops.Kernel)}, interface {One(drops.Interface)}, Recorder {One(drops.Recorder)}";
    }

    // ---------------------------------------------------------------- 5 custody

    private void CustodySection()
    {
        var m = _model;
        var cp = m.Custody.Checkpoint;
        var entries = m.Custody.Entries.OrderBy(e => e.Sequence).ToArray();
        Heading1("Chain of custody", newPage: true);
        Text($"The custody ledger records every action on the evidence. The {Fmt.Plural(entries.Length, "entry", "entries")} below concern "
            + "this evidence and are listed in ledger order (by sequence number), which is the order in which they were recorded. An "
            + "entry's hash is the SHA-256 value of its canonical JSON bytes; each entry also holds the hash of the entry before it. "
            + $"The package holds an inclusion proof of each entry against the checkpoint described in {_section}.2.");
        Heading2("Ledger entries", 60);
        var table = new Table(
            [new Column("Seq", 0.07, true), new Column("Time (UTC)", 0.31), new Column("Actor", 0.21), new Column("Action", 0.19), new Column("Subject", 0.22)],
            "Ledger entries");
        table.Draw(_flow, entries.Select(e => new RowGroup(
        [
            new Row([new Cell(e.Sequence.ToString(CultureInfo.InvariantCulture)), TimeCell(e.Time), new Cell(e.Actor), new Cell(e.Action, _s.Mono), new Cell(e.Subject)]),
            new Row([new Cell(string.Empty), HashLine("Entry hash", e.EntryHash, 4)]),
        ])).ToArray());

        Heading2("Checkpoint and time-stamp", 180);
        Text("The entries above are proven against this signed checkpoint of the ledger. Its root hash is the Merkle tree hash "
            + "(RFC 9162) over the first tree-size entries of the ledger.");
        var rows = new List<RowGroup>
        {
            Pair(Label("Tree size"), Value(Fmt.Plural(cp.TreeSize, "entry", "entries"))),
            Pair(Label("Root hash"), MonoValue(cp.RootHash)),
            Pair(Label("Checkpoint time"), Value(Fmt.Time(cp.Time))),
            Pair(Label("Signature"), Value(cp.SignatureStatus)),
            Pair(Label("RFC 3161 time-stamp"), Value(Fmt.Time(cp.TimeStamp.Time))),
            Pair(Label("Time-stamp authority"), Value(cp.TimeStamp.Authority + (cp.TimeStamp.BuiltInAuthority ? " (built into Recorder)" : " (independent)"))),
            Pair(Label("Time-stamp status"), Value(cp.TimeStamp.Status)),
        };
        KeyValueTable("Checkpoint").Draw(_flow, rows);
        if (cp.TimeStamp.BuiltInAuthority)
        {
            NoteText("The time-stamp authority built into Recorder runs on the recording host: its time-stamp shows that the checkpoint "
                + "existed when that host's clock read the stated time. It is not an attestation by an independent third party.");
        }
    }

    // ---------------------------------------------------------------- 6 method

    private void MethodSection()
    {
        Heading1("Method", newPage: true);
        Text("This section states what Recorder did to acquire, preserve, account for and extract the evidence, with the facts of this "
            + "package. The published standards named are those the recorded values and signatures follow.");
        foreach (var (heading, paragraphs) in ProcessDescription.Build(_model))
        {
            Heading2(heading, 70);
            foreach (var p in paragraphs)
            {
                Text(p);
            }
        }
    }

    // ---------------------------------------------------------------- 7 verification

    private void VerificationSection()
    {
        var m = _model;
        Heading1("Independent verification");
        Text("Everything this report states about the package can be checked without Recorder, on a copy of the package, with "
            + "standard tools: sha256sum (GNU coreutils), OpenSSL 3 and capinfos (Wireshark). Run each command in the package's top "
            + "folder; each is one line.");
        KeyValueTable("Keys").Draw(_flow,
        [
            Pair(Label("Manifest SHA-256"), MonoValue(m.ManifestSha256)),
            Pair(Label("Signing key fingerprint"), MonoValue(m.Verification.SigningKeyFingerprint)),
            Pair(Label("Store key fingerprint"), MonoValue(m.Verification.StoreKeyFingerprint)),
        ]);
        _flow.Y += 4;
        var number = 0;
        foreach (var step in m.Verification.Steps)
        {
            number++;
            Step(number.ToString(CultureInfo.InvariantCulture) + ".", 0, 24, step, _s.BodyBold, _s.MonoBody, _s.Small, 8);
        }
    }

    private void Step(string marker, double offset, double markerWidth, VerificationStep step, XFont bold, XFont mono, XFont small, double spaceAfter)
    {
        var indent = offset + markerWidth;
        const double pad = 5;
        var width = _flow.Width - indent;
        var commandLines = _flow.Wrap(step.Command, mono, width - (2 * pad));
        var boxHeight = (commandLines.Count * ReportStyle.LineHeight(mono)) + (2 * pad) - 2;
        var titleHeight = _flow.MeasureParagraph(step.Title, bold, width);
        var expectedHeight = _flow.MeasureParagraph("Expected: " + step.Expected, small, width);
        _flow.EnsureSpace(titleHeight + boxHeight + expectedHeight + 12);
        _flow.DrawLine(marker, bold, _s.AccentBrush, _flow.Left + offset, _flow.Y);
        _flow.Paragraph(step.Title, bold, indent: indent, spaceAfter: 2);
        _flow.Gfx.DrawRectangle(new XPen(_s.Rule, 0.4), new XSolidBrush(_s.ZebraFill), _flow.Left + indent, _flow.Y, width, boxHeight);
        var y = _flow.Y + pad - 1;
        foreach (var line in commandLines)
        {
            _flow.DrawLine(line, mono, _s.InkBrush, _flow.Left + indent + pad, y);
            y += ReportStyle.LineHeight(mono);
        }

        _flow.Y += boxHeight + 3;
        _flow.Paragraph("Expected: " + step.Expected, small, _s.MutedBrush, indent: indent, spaceAfter: spaceAfter);
    }
}
