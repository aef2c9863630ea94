using System.Security.Cryptography;
using System.Text;
using Recorder.Core.Hashing;
using Recorder.Core.Time;
using Recorder.Reporting.Model;

namespace Recorder.Reporting.Tests;

/// <summary>Report models for tests: realistic values, every hash distinct and derived from a label.</summary>
internal static class SampleReports
{
    public static readonly Timestamp CaptureStart = Timestamp.FromSeconds(1_793_606_400); // 2026-11-02T08:00:00Z
    public static readonly Timestamp BuiltAt = Timestamp.FromSeconds(1_795_804_537, 123_456_789); // 2026-11-27T20:15:37.123456789Z

    public static string Sha256(string label) => Hex.Lower(SHA256.HashData(Encoding.UTF8.GetBytes(label)));

    public static string Sha1(string label) => Hex.Lower(SHA1.HashData(Encoding.UTF8.GetBytes(label)));

    public static string Md5(string label) => Hex.Lower(MD5.HashData(Encoding.UTF8.GetBytes(label)));

    public static ReportModel Typical() => Build(files: 3, segments: 4, custody: 24, buckets: 60, hosts: 23, ports: 17);

    public static ReportModel Large() => Build(files: 40, segments: 30, custody: 600, buckets: 2000, hosts: 400, ports: 300);

    public static ReportModel Build(int files, int segments, int custody, int buckets, int hosts, int ports)
    {
        var minute = 60L * Timestamp.NanosPerSecond;
        var series = Enumerable.Range(0, buckets)
            .Select(i => new TrafficBucket(
                Packets: 200 + (long)(180 * Math.Sin(i / 6.0)) + (i % 7 * 31) + (i == buckets / 3 ? 1400 : 0),
                Bytes: (200 + (long)(180 * Math.Sin(i / 6.0)) + (i % 7 * 31)) * 610 + (i == buckets / 3 ? 2_100_000 : 0)))
            .ToArray();
        var totalPackets = series.Sum(b => b.Packets);
        var totalBytes = series.Sum(b => b.Bytes);
        var last = new Timestamp(CaptureStart.UnixNanoseconds + (buckets * minute) - 1_000_000);

        var evidence = Enumerable.Range(1, files).Select(i => new EvidenceFile(
            Name: $"evidence/q-{i:D4}-7f3a9c{i:x2}.pcap",
            SizeBytes: 1_048_576L * i + 24,
            Packets: totalPackets / files,
            FirstPacket: CaptureStart,
            LastPacket: last,
            Sha256: Sha256("file" + i),
            Sha1: Sha1("file" + i),
            Md5: Md5("file" + i),
            LinkTypes: i % 5 == 0 ? [1, 113] : [1])).ToArray();

        var segmentRecords = Enumerable.Range(1, segments).Select(i => new SegmentRecord(
            Id: $"seg-{i:D8}",
            First: new Timestamp(CaptureStart.UnixNanoseconds + ((i - 1) * buckets * minute / segments)),
            Last: new Timestamp(CaptureStart.UnixNanoseconds + (i * buckets * minute / segments) - 1),
            Packets: 100_000 + i,
            Sha256: Sha256("segment" + i),
            ManifestSha256: Sha256("segment-manifest" + i),
            SignatureStatus: "Valid Ed25519 signature by the store key")).ToArray();

        string[] actions = ["capture.started", "segment.sealed", "capture.stopped", "query.submitted", "extraction.written", "verification.run"];
        var entries = Enumerable.Range(0, custody).Select(i => new CustodyEntry(
            Sequence: 1000 + i,
            Time: new Timestamp(CaptureStart.UnixNanoseconds + (i * 37L * Timestamp.NanosPerSecond) + 123_456_789),
            Actor: i % 3 == 0 ? "recorder-svc@sensor-03" : "jdoe@forensics-ws1",
            Action: actions[i % actions.Length],
            Subject: i % actions.Length == 1 ? $"segment seg-{(i % segments) + 1:D8}" : $"query q-{i:D4}, case 2026-CR-0142",
            EntryHash: Sha256("entry" + i))).ToArray();

        return new ReportModel
        {
            ReportId = "RPT-2026-0142-003",
            Case = new CaseInfo("2026-CR-0142", "United States v. Example: unauthorised transfer of design files from the Acme R&D network"),
            Request = new EvidenceRequest("Special Agent Dana Whitfield", "Traffic between the workstation 10.20.30.41 and external hosts on 2 November 2026, for the search warrant affidavit"),
            Queries =
            [
                new QueryRecord("q-7f3a9c01", "host 10.20.30.41 and not net 10.0.0.0/8, from 2026-11-02T08:00:00Z to 2026-11-02T09:00:00Z", "Dana Whitfield", "Warrant 26-MJ-4471 scope: exfiltration window", CaptureStart, new Timestamp(CaptureStart.UnixNanoseconds + 5_400_000_000_000)),
                new QueryRecord("q-7f3a9c02", "host 203.0.113.11 and port 443", "Dana Whitfield", "Follow-up on the destination identified in q-7f3a9c01", new Timestamp(CaptureStart.UnixNanoseconds + 6_000_000_000_000), null),
            ],
            Build = new PackageBuild("Jordan Doe (jdoe)", "forensics-ws1.example.org", BuiltAt),
            Tool = new ToolInfo("Recorder", "0.1.0", "fc8ebc1cfd9db35f3daaca39421fad40d38d491f"),
            ManifestSha256 = Sha256("manifest"),
            Files = evidence,
            Traffic = new TrafficSummary
            {
                Packets = totalPackets,
                Bytes = totalBytes,
                First = CaptureStart,
                Last = last,
                Hosts = Enumerable.Range(0, hosts).Select(i => new HostTraffic(i == 0 ? "10.20.30.41" : i % 4 == 0 ? $"2001:db8::{i:x}" : $"203.0.113.{i % 250}", totalPackets / (i + 1), totalBytes / (i + 1))).ToArray(),
                Ports = Enumerable.Range(0, ports).Select(i => new PortTraffic(i % 3 == 2 ? "UDP" : "TCP", i == 0 ? 443 : 1024 + (i * 97 % 60000), totalPackets / (i + 2), totalBytes / (i + 2))).ToArray(),
                Protocols =
                [
                    new ProtocolTraffic("TCP", totalPackets * 80 / 100, totalBytes * 90 / 100),
                    new ProtocolTraffic("UDP", totalPackets * 17 / 100, totalBytes * 9 / 100),
                    new ProtocolTraffic("ICMP", totalPackets * 2 / 100, totalBytes / 200),
                    new ProtocolTraffic("ARP", totalPackets - (totalPackets * 99 / 100), totalBytes / 200),
                ],
                Series = new TrafficSeries(CaptureStart, minute, series),
            },
            Provenance = new Provenance(segmentRecords,
            [
                new AcquisitionRecord
                {
                    Kind = AcquisitionKind.Capture,
                    Actor = "recorder-svc",
                    Host = "sensor-03.example.org",
                    StartedAt = new Timestamp(CaptureStart.UnixNanoseconds - 3_600_000_000_000),
                    EndedAt = new Timestamp(CaptureStart.UnixNanoseconds + (buckets * minute) + 60_000_000_000),
                    Interface = "ens1f0",
                    Filter = "not port 22",
                    SnapLength = 262144,
                    Drops = new DropCounters(0, 0, 0),
                    SegmentIds = segmentRecords.Take(Math.Max(1, segments - 1)).Select(s => s.Id).ToArray(),
                },
                new AcquisitionRecord
                {
                    Kind = AcquisitionKind.Import,
                    Actor = "jdoe",
                    Host = "forensics-ws1.example.org",
                    StartedAt = new Timestamp(CaptureStart.UnixNanoseconds + 86_400_000_000_000),
                    EndedAt = new Timestamp(CaptureStart.UnixNanoseconds + 86_460_000_000_000),
                    OriginalFiles =
                    [
                        new OriginalFile("acme-firewall-export-2026-11-02.pcapng", 734_003_200, Sha256("original1")),
                        new OriginalFile("acme-span-port-b.pcap", 12_582_912, Sha256("original2")),
                    ],
                    SegmentIds = [segmentRecords[^1].Id],
                    Notes = "The last record of acme-span-port-b.pcap was cut off after 14 of 66 bytes; the 14 bytes were not stored and the cut is recorded in the ledger",
                },
            ]),
            Custody = new CustodyRecord(entries, new CheckpointRecord(
                TreeSize: 1000L + custody + 5,
                RootHash: Sha256("root"),
                Time: new Timestamp(BuiltAt.UnixNanoseconds - 2_000_000_000),
                SignatureStatus: "Valid Ed25519 signature by the store key",
                TimeStamp: new TimeStampRecord(new Timestamp(BuiltAt.UnixNanoseconds - 1_900_000_000), "CN=Recorder built-in TSA, O=Recorder, sensor-03", true, "Token valid (openssl ts -verify: Verification: OK)"))),
            Verification = new VerificationInfo
            {
                StoreKeyFingerprint = Sha256("store-key"),
                SigningKeyFingerprint = Sha256("store-key"),
                Steps = StandardVerification.Steps(),
            },
        };
    }
}
