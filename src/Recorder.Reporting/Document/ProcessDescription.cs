using System.Globalization;
using System.Text;
using Recorder.Reporting.Model;

namespace Recorder.Reporting.Document;

/// <summary>
/// What Recorder did to produce the evidence, in plain factual sentences filled with this package's
/// facts. The Method section prints it under its headings; certification templates get it through
/// <c>{{process}}</c>.
/// </summary>
internal static class ProcessDescription
{
    public static IReadOnlyList<(string Heading, IReadOnlyList<string> Paragraphs)> Build(ReportModel model)
    {
        var sections = new List<(string, IReadOnlyList<string>)>
        {
            ("Acquisition", Acquisition(model)),
            ("Storage, sealing and signing", Sealing(model)),
            ("Custody ledger", Ledger(model)),
            ("Time-stamping", TimeStamping(model)),
            ("Extraction and packaging", Packaging(model)),
        };
        return sections;
    }

    private static List<string> Acquisition(ReportModel model)
    {
        var paragraphs = new List<string>();
        var acquisitions = model.Provenance.Acquisitions;
        if (acquisitions.Count == 0)
        {
            paragraphs.Add("The package does not describe how the segments were acquired.");
            return paragraphs;
        }

        foreach (var a in acquisitions)
        {
            var sb = new StringBuilder();
            if (a.Kind == AcquisitionKind.Capture)
            {
                sb.Append(CultureInfo.InvariantCulture, $"On {Fmt.Time(a.StartedAt)}, {a.Actor} on host {a.Host} started a live capture on interface {a.Interface}");
                sb.Append(string.IsNullOrWhiteSpace(a.Filter) ? " without a capture filter (all traffic)" : $" with the capture filter \"{a.Filter}\"");
                if (a.SnapLength is { } snap)
                {
                    sb.Append(CultureInfo.InvariantCulture, $" and a snap length of {Fmt.Count(snap)} bytes");
                }

                sb.Append(a.EndedAt is { } end ? $"; it ended at {Fmt.Time(end)}." : "; its end is not recorded.");
                sb.Append(" Recorder copied each packet as the network interface delivered it, with its timestamp to the nanosecond.");
                sb.Append(' ').Append(Drops(a.Drops));
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"On {Fmt.Time(a.StartedAt)}, {a.Actor} on host {a.Host} imported ");
                sb.Append(a.OriginalFiles.Count == 0
                    ? "capture files whose names and hashes are not recorded."
                    : Fmt.Plural(a.OriginalFiles.Count, "capture file", "capture files") + ": "
                      + string.Join("; ", a.OriginalFiles.Select(o => $"{o.Name} ({Fmt.Count(o.SizeBytes)} bytes, SHA-256 {o.Sha256})")) + ".");
                sb.Append(" Recorder computed the SHA-256 value of each input file as it read it and stored every packet unchanged, with its original timestamp.");
            }

            if (!string.IsNullOrWhiteSpace(a.Notes))
            {
                sb.Append(' ').Append(a.Notes.Trim());
                if (!a.Notes.TrimEnd().EndsWith('.'))
                {
                    sb.Append('.');
                }
            }

            paragraphs.Add(sb.ToString());
        }

        return paragraphs;
    }

    internal static string Drops(DropCounters? drops)
    {
        if (drops is null)
        {
            return "No drop counters were recorded.";
        }

        static string One(long? n) => n is { } v ? Fmt.Count(v) : "not reported";
        var total = (drops.Kernel ?? 0) + (drops.Interface ?? 0) + (drops.Recorder ?? 0);
        var head = total == 0 && drops.Kernel is not null && drops.Interface is not null && drops.Recorder is not null
            ? "No packet was reported dropped"
            : "Packets reported dropped";
        return $"{head}: kernel {One(drops.Kernel)}, interface {One(drops.Interface)}, Recorder {One(drops.Recorder)}.";
    }

    private static List<string> Sealing(ReportModel model)
    {
        var segments = model.Provenance.Segments.Count;
        return
        [
            "Recorder wrote the packets, unchanged and in the order received, into segment files in the standard pcap or pcapng "
            + "capture format, which tcpdump, Wireshark and capinfos read as they are. When a segment reached its size or age limit, "
            + "or when the capture or import ended, Recorder sealed it: it computed the SHA-256 value (FIPS 180-4) of the file, wrote a "
            + "manifest in canonical JSON (RFC 8785) recording that value, the packet count, the time range and the previous segment's "
            + "manifest hash, and signed the exact bytes of the manifest with the evidence store's Ed25519 private key (RFC 8032). "
            + "A sealed segment is never changed.",
            $"The evidence in this package came from {Fmt.Plural(segments, "sealed segment", "sealed segments")}, listed with their "
            + $"hash values and signature status in the Provenance section. The store's public key has the fingerprint "
            + $"{model.Verification.StoreKeyFingerprint} (SHA-256 of its DER encoding).",
        ];
    }

    private static List<string> Ledger(ReportModel model)
    {
        var cp = model.Custody.Checkpoint;
        return
        [
            "Recorder recorded every action on the evidence (creation of the store and its key, each capture or import, each sealed "
            + "segment, each query with its case and reason, each extraction, and the building of this package) as an entry in its "
            + "custody ledger: an append-only file of canonical JSON entries, each holding the time, the actor, the action, the "
            + "subjects, their hash values and the SHA-256 value of the previous entry, so that no entry can be changed, removed or "
            + "reordered without breaking the chain. The entries are also the leaves of a Merkle tree built as in RFC 9162 "
            + "(Certificate Transparency 2.0), which allows proving that an entry is in the ledger with a short inclusion proof.",
            $"Recorder signed a checkpoint of the ledger (tree size {Fmt.Count(cp.TreeSize)}, root hash {cp.RootHash}, time "
            + $"{Fmt.Time(cp.Time)}) with the store's Ed25519 key. The package holds an inclusion proof of each of the "
            + $"{Fmt.Plural(model.Custody.Entries.Count, "ledger entry", "ledger entries")} listed in this report against that checkpoint.",
        ];
    }

    private static List<string> TimeStamping(ReportModel model)
    {
        var ts = model.Custody.Checkpoint.TimeStamp;
        var list = new List<string>
        {
            $"The checkpoint was time-stamped under RFC 3161 by the time-stamp authority {ts.Authority}, whose token states the time "
            + $"{Fmt.Time(ts.Time)}. The token binds the SHA-256 value of the checkpoint to that time and is signed by the authority; "
            + "openssl ts -verify checks it against the authority's certificate, which the package includes.",
        };
        list.Add(ts.BuiltInAuthority
            ? "This authority is the one built into Recorder and runs on the recording host. Its time-stamp shows that the checkpoint "
              + "existed when the host's clock read the stated time; it is not an attestation by an independent third party."
            : "This authority is independent of Recorder and of the recording host.");
        return list;
    }

    private static List<string> Packaging(ReportModel model)
    {
        var queries = model.Queries;
        var queryText = queries.Count == 0
            ? "No query is recorded for this package."
            : $"At the request of {model.Request.Investigator}, Recorder ran {Fmt.Plural(queries.Count, "audited query", "audited queries")} "
              + $"({string.Join(", ", queries.Select(q => q.QueryId))}), each recorded in the ledger with its case, reason and requester. "
              + "It read the matching packets from the sealed segments, checked them against the segments' recorded hash values, and "
              + "wrote them unchanged, in capture-time order, to the evidence files.";
        return
        [
            queryText,
            $"On {Fmt.Time(model.Build.BuiltAt)}, {model.Build.Actor} on host {model.Build.Host} built the evidence package with "
            + $"{model.Tool.Name} {model.Tool.Version} (source revision {model.Tool.SourceRevision}). Recorder computed the SHA-256, SHA-1 "
            + "and MD5 values of each evidence file, recorded them in manifest.json together with the case, the queries, the segments "
            + $"and the tool version, signed the exact bytes of manifest.json with the Ed25519 key whose fingerprint is "
            + $"{model.Verification.SigningKeyFingerprint}, and listed the SHA-256 value of every file of the package in SHA256SUMS. "
            + $"The SHA-256 value of manifest.json is {model.ManifestSha256}. Building the package was itself recorded in the ledger.",
        ];
    }
}
