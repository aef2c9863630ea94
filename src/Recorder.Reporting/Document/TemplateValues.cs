using Recorder.Reporting.Model;

namespace Recorder.Reporting.Document;

/// <summary>The text each inline template placeholder stands for, taken from the model.</summary>
internal static class TemplateValues
{
    public const string Blank = "______________________________";

    public static IReadOnlyDictionary<string, string> For(ReportModel model)
    {
        var cp = model.Custody.Checkpoint;
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["case"] = model.Case.Id,
            ["case-title"] = model.Case.Title,
            ["report-id"] = model.ReportId,
            ["investigator"] = model.Request.Investigator,
            ["reason"] = model.Request.Reason,
            ["manifest-sha256"] = model.ManifestSha256,
            ["tool"] = $"{model.Tool.Name} {model.Tool.Version}",
            ["tool-version"] = model.Tool.Version,
            ["source-revision"] = model.Tool.SourceRevision,
            ["built-by"] = $"{model.Build.Actor} on host {model.Build.Host}",
            ["built-at"] = Fmt.Time(model.Build.BuiltAt),
            ["file-count"] = Fmt.Count(model.Files.Count),
            ["packet-count"] = Fmt.Count(model.Files.Sum(f => f.Packets)),
            ["segment-count"] = Fmt.Count(model.Provenance.Segments.Count),
            ["first-packet"] = Fmt.Time(model.Traffic.First),
            ["last-packet"] = Fmt.Time(model.Traffic.Last),
            ["signing-key"] = model.Verification.SigningKeyFingerprint,
            ["store-key"] = model.Verification.StoreKeyFingerprint,
            ["checkpoint-size"] = Fmt.Count(cp.TreeSize),
            ["checkpoint-root"] = cp.RootHash,
            ["checkpoint-time"] = Fmt.Time(cp.Time),
            ["timestamp-time"] = Fmt.Time(cp.TimeStamp.Time),
            ["timestamp-authority"] = cp.TimeStamp.Authority,
            ["blank"] = Blank,
        };
        return values;
    }
}
