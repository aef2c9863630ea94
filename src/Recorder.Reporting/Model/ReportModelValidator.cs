using Recorder.Core.Hashing;

namespace Recorder.Reporting.Model;

/// <summary>
/// Checks a <see cref="ReportModel"/> before it is drawn: required text present, hashes of the right
/// length in lower-case hex, counts not negative, times in order, sequence numbers unique. The first
/// problem throws <see cref="InvalidReportModelException"/> naming the field.
/// </summary>
public static class ReportModelValidator
{
    /// <summary>Throws <see cref="InvalidReportModelException"/> when <paramref name="model"/> is not fit to report.</summary>
    public static void Validate(ReportModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Text(model.ReportId, "ReportId");
        NotNull(model.Case, "Case");
        Text(model.Case.Id, "Case.Id");
        Text(model.Case.Title, "Case.Title");
        NotNull(model.Request, "Request");
        Text(model.Request.Investigator, "Request.Investigator");
        Text(model.Request.Reason, "Request.Reason");
        NotNull(model.Build, "Build");
        Text(model.Build.Actor, "Build.Actor");
        Text(model.Build.Host, "Build.Host");
        NotNull(model.Tool, "Tool");
        Text(model.Tool.Name, "Tool.Name");
        Text(model.Tool.Version, "Tool.Version");
        Text(model.Tool.SourceRevision, "Tool.SourceRevision");
        Hash(model.ManifestSha256, 32, "ManifestSha256");

        Items(model.Queries, "Queries", (q, f) =>
        {
            Text(q.QueryId, f + ".QueryId");
            Text(q.Filter, f + ".Filter");
            Text(q.Requester, f + ".Requester");
            Text(q.Reason, f + ".Reason");
            if (q.CompletedAt is { } done && done < q.SubmittedAt)
            {
                throw new InvalidReportModelException(f + ".CompletedAt", "is before SubmittedAt");
            }
        });

        Items(model.Files, "Files", (file, f) =>
        {
            Text(file.Name, f + ".Name");
            NotNegative(file.SizeBytes, f + ".SizeBytes");
            NotNegative(file.Packets, f + ".Packets");
            Hash(file.Sha256, 32, f + ".Sha256");
            Hash(file.Sha1, 20, f + ".Sha1");
            Hash(file.Md5, 16, f + ".Md5");
            NotNull(file.LinkTypes, f + ".LinkTypes");
            Order(file.FirstPacket, file.LastPacket, f + ".LastPacket");
        });

        Items(model.TransferredFiles, "TransferredFiles", (file, f) =>
        {
            Text(file.Name, f + ".Name");
            NotNegative(file.SizeBytes, f + ".SizeBytes");
            Text(file.Type, f + ".Type");
            Text(file.Protocol, f + ".Protocol");
            Text(file.Direction, f + ".Direction");
            Text(file.ExtractionId, f + ".ExtractionId");
            Hash(file.Sha256, 32, f + ".Sha256");
            Hash(file.Sha1, 20, f + ".Sha1");
            Hash(file.Md5, 16, f + ".Md5");
        });

        var traffic = model.Traffic;
        NotNull(traffic, "Traffic");
        NotNegative(traffic.Packets, "Traffic.Packets");
        NotNegative(traffic.Bytes, "Traffic.Bytes");
        Order(traffic.First, traffic.Last, "Traffic.Last");
        Items(traffic.Hosts, "Traffic.Hosts", (h, f) =>
        {
            Text(h.Address, f + ".Address");
            NotNegative(h.Packets, f + ".Packets");
            NotNegative(h.Bytes, f + ".Bytes");
        });
        Items(traffic.Ports, "Traffic.Ports", (p, f) =>
        {
            Text(p.Transport, f + ".Transport");
            if (p.Port is < 0 or > 65535)
            {
                throw new InvalidReportModelException(f + ".Port", $"{p.Port} is not a port number (0 to 65535)");
            }

            NotNegative(p.Packets, f + ".Packets");
            NotNegative(p.Bytes, f + ".Bytes");
        });
        Items(traffic.Protocols, "Traffic.Protocols", (p, f) =>
        {
            Text(p.Protocol, f + ".Protocol");
            NotNegative(p.Packets, f + ".Packets");
            NotNegative(p.Bytes, f + ".Bytes");
        });
        NotNull(traffic.Series, "Traffic.Series");
        if (traffic.Series.BucketNanoseconds <= 0)
        {
            throw new InvalidReportModelException("Traffic.Series.BucketNanoseconds", "must be greater than zero");
        }

        Items(traffic.Series.Buckets, "Traffic.Series.Buckets", (b, f) =>
        {
            NotNegative(b.Packets, f + ".Packets");
            NotNegative(b.Bytes, f + ".Bytes");
        });
        _ = checked(traffic.Series.Start.UnixNanoseconds + (traffic.Series.BucketNanoseconds * traffic.Series.Buckets.Count));

        NotNull(model.Provenance, "Provenance");
        Items(model.Provenance.Segments, "Provenance.Segments", (s, f) =>
        {
            Text(s.Id, f + ".Id");
            Order(s.First, s.Last, f + ".Last");
            NotNegative(s.Packets, f + ".Packets");
            Hash(s.Sha256, 32, f + ".Sha256");
            Hash(s.ManifestSha256, 32, f + ".ManifestSha256");
            Text(s.SignatureStatus, f + ".SignatureStatus");
        });
        Items(model.Provenance.Acquisitions, "Provenance.Acquisitions", (a, f) =>
        {
            if (!Enum.IsDefined(a.Kind))
            {
                throw new InvalidReportModelException(f + ".Kind", $"{(int)a.Kind} is not an acquisition kind");
            }

            Text(a.Actor, f + ".Actor");
            Text(a.Host, f + ".Host");
            Order(a.StartedAt, a.EndedAt, f + ".EndedAt");
            if (a.Kind == AcquisitionKind.Capture)
            {
                Text(a.Interface, f + ".Interface");
            }

            if (a.Drops is { } d)
            {
                NotNegative(d.Kernel ?? 0, f + ".Drops.Kernel");
                NotNegative(d.Interface ?? 0, f + ".Drops.Interface");
                NotNegative(d.Recorder ?? 0, f + ".Drops.Recorder");
            }

            Items(a.OriginalFiles, f + ".OriginalFiles", (o, g) =>
            {
                Text(o.Name, g + ".Name");
                NotNegative(o.SizeBytes, g + ".SizeBytes");
                Hash(o.Sha256, 32, g + ".Sha256");
            });
            Items(a.SegmentIds, f + ".SegmentIds", (id, g) => Text(id, g));
        });

        NotNull(model.Custody, "Custody");
        var seen = new HashSet<long>();
        Items(model.Custody.Entries, "Custody.Entries", (e, f) =>
        {
            NotNegative(e.Sequence, f + ".Sequence");
            if (!seen.Add(e.Sequence))
            {
                throw new InvalidReportModelException(f + ".Sequence", $"{e.Sequence} appears more than once");
            }

            Text(e.Actor, f + ".Actor");
            Text(e.Action, f + ".Action");
            NotNull(e.Subject, f + ".Subject");
            Hash(e.EntryHash, 32, f + ".EntryHash");
        });
        var cp = model.Custody.Checkpoint;
        NotNull(cp, "Custody.Checkpoint");
        NotNegative(cp.TreeSize, "Custody.Checkpoint.TreeSize");
        Hash(cp.RootHash, 32, "Custody.Checkpoint.RootHash");
        Text(cp.SignatureStatus, "Custody.Checkpoint.SignatureStatus");
        NotNull(cp.TimeStamp, "Custody.Checkpoint.TimeStamp");
        Text(cp.TimeStamp.Authority, "Custody.Checkpoint.TimeStamp.Authority");
        Text(cp.TimeStamp.Status, "Custody.Checkpoint.TimeStamp.Status");

        NotNull(model.Verification, "Verification");
        Hash(model.Verification.StoreKeyFingerprint, 32, "Verification.StoreKeyFingerprint");
        Hash(model.Verification.SigningKeyFingerprint, 32, "Verification.SigningKeyFingerprint");
        Items(model.Verification.Steps, "Verification.Steps", (s, f) =>
        {
            Text(s.Title, f + ".Title");
            Text(s.Command, f + ".Command");
            Text(s.Expected, f + ".Expected");
        });
        if (model.Verification.Steps.Count == 0)
        {
            throw new InvalidReportModelException("Verification.Steps", "is empty; StandardVerification.Steps() gives the standard ones");
        }
    }

    private static void Items<T>(IReadOnlyList<T>? list, string field, Action<T, string> check)
    {
        NotNull(list, field);
        for (var i = 0; i < list!.Count; i++)
        {
            var f = $"{field}[{i}]";
            NotNull(list[i], f);
            check(list[i], f);
        }
    }

    private static void NotNull(object? value, string field)
    {
        if (value is null)
        {
            throw new InvalidReportModelException(field, "is missing");
        }
    }

    private static void Text(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidReportModelException(field, "is empty");
        }

        foreach (var c in value)
        {
            if (char.IsControl(c) && c != '\n')
            {
                throw new InvalidReportModelException(field, $"holds the control character U+{(int)c:X4}");
            }
        }
    }

    private static void Hash(string? value, int bytes, string field)
    {
        if (!Hex.IsLowerHex(value, bytes))
        {
            throw new InvalidReportModelException(field, $"must be {bytes * 2} lower-case hexadecimal digits, found '{value}'");
        }
    }

    private static void NotNegative(long value, string field)
    {
        if (value < 0)
        {
            throw new InvalidReportModelException(field, $"is negative ({value})");
        }
    }

    private static void Order(Core.Time.Timestamp? first, Core.Time.Timestamp? last, string field)
    {
        if (first is { } f && last is { } l && l < f)
        {
            throw new InvalidReportModelException(field, $"{l} is before {f}");
        }
    }
}
