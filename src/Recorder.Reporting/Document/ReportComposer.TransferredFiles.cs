using System.Globalization;
using Recorder.Reporting.Layout;

namespace Recorder.Reporting.Document;

/// <summary>The transferred files carried beside the capture files: a subsection of "Evidence files", drawn only when the package has any.</summary>
internal sealed partial class ReportComposer
{
    private void TransferredFilesSection()
    {
        var files = _model.TransferredFiles;
        if (files.Count == 0)
        {
            return;
        }

        Heading2("Transferred files", 120);
        Text($"The package also holds {Fmt.Plural(files.Count, "file", "files")} transferred in the traffic (HTTP bodies, SMTP attachments, FTP data), "
            + "each extracted from its packets by an audited extraction recorded in the custody ledger, and a JSON description beside it. "
            + "The type is recognised from the content, never from a name the traffic claimed.");
        var table = new Table(
            [new Column("#", 0.05), new Column("File", 0.45), new Column("Type", 0.12), new Column("Transfer", 0.22), new Column("Size (bytes)", 0.16, true)],
            "Transferred files");
        var groups = files.Select((f, i) => new RowGroup(
        [
            new Row([new Cell((i + 1).ToString(CultureInfo.InvariantCulture)), new Cell(f.Name, _s.Mono), new Cell(f.Type), new Cell($"{f.Protocol} {f.Direction}"),
                new Cell(Fmt.Count(f.SizeBytes))]),
            new Row([new Cell(string.Empty), Sub("Source", $"session {f.SessionId} of segment {f.SegmentId}; extraction {f.ExtractionId}", 4)]),
            new Row([new Cell(string.Empty), HashLine("SHA-256", f.Sha256, 4)]),
            new Row([new Cell(string.Empty), HashLine("SHA-1", f.Sha1, 4)]),
            new Row([new Cell(string.Empty), HashLine("MD5", f.Md5, 4)]),
        ])).ToList();
        table.Draw(_flow, groups);
    }
}
