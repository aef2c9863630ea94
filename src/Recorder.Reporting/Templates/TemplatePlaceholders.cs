namespace Recorder.Reporting.Templates;

/// <summary>
/// The placeholders a certification template may use, written <c>{{name}}</c>. Inline placeholders
/// stand anywhere in a line and are replaced by text; block placeholders stand alone on their line
/// and are replaced by a block (a table, a list, the signature lines). Any other name is an error.
/// </summary>
public static class TemplatePlaceholders
{
    /// <summary>Inline placeholders and what each is replaced by.</summary>
    public static IReadOnlyDictionary<string, string> Inline { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["case"] = "the case id",
        ["case-title"] = "the case title",
        ["report-id"] = "the report id",
        ["investigator"] = "the requesting investigator",
        ["reason"] = "the reason given for the request",
        ["manifest-sha256"] = "SHA-256 of the package's manifest.json",
        ["tool"] = "tool name and version, e.g. Recorder 1.2.0",
        ["tool-version"] = "tool version",
        ["source-revision"] = "source revision of the tool",
        ["built-by"] = "who built the package, and on which host",
        ["built-at"] = "when the package was built (UTC)",
        ["file-count"] = "number of evidence files",
        ["packet-count"] = "number of packets in the evidence files",
        ["segment-count"] = "number of sealed segments the evidence came from",
        ["first-packet"] = "timestamp of the first packet (UTC)",
        ["last-packet"] = "timestamp of the last packet (UTC)",
        ["signing-key"] = "fingerprint of the key that signed manifest.json",
        ["store-key"] = "fingerprint of the evidence store's public key",
        ["checkpoint-size"] = "tree size of the ledger checkpoint",
        ["checkpoint-root"] = "root hash of the ledger checkpoint",
        ["checkpoint-time"] = "time of the ledger checkpoint (UTC)",
        ["timestamp-time"] = "time of the checkpoint's RFC 3161 time-stamp (UTC)",
        ["timestamp-authority"] = "the time-stamp authority",
        ["blank"] = "a blank line to fill in by hand",
    };

    /// <summary>Block placeholders and what each is replaced by.</summary>
    public static IReadOnlyDictionary<string, string> Block { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["process"] = "the process by which Recorder acquired, sealed, signed, ledgered and extracted the evidence, with the facts of this package",
        ["hashes"] = "the table of evidence files with size, packets, SHA-256, SHA-1 and MD5",
        ["segments"] = "the table of sealed segments with their SHA-256 and manifest SHA-256",
        ["verification"] = "the numbered verification steps with their commands",
        ["signature"] = "lines for the declarant's signature, printed name, qualification or title, and date",
    };
}
