using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CsCheck;
using Recorder.Sessions.Search;
using Recorder.Storage.Sessions;
using Recorder.TestSupport;

namespace Recorder.Storage.Tests.Sessions;

/// <summary>
/// The session index gives byte for byte the answer of a scan, for every filter option and wildcard
/// form, on random records (few values, so that filters hit); damage to the file is detected.
/// </summary>
public sealed class SessionBlockFileTests : IDisposable
{
    private static readonly string[] Names =
        ["www.example.com", "WWW.Example.COM", "a.example.com", "example.com", "x.example.net", "files.example.com", "b.c.d", "\u00e9t\u00e9.example.org", "xn--e1a.example"];

    private static readonly string[] Uris = ["/", "/report1.pdf", "/a/B.zip", "http://h.example.com/x", "*", "/report1.PDF?q=1"];
    private static readonly string[] Agents = ["curl/8.0", "Mozilla/5.0 (X11)", "TestAgent/1", "CURL/7"];
    private static readonly string[] Hashes = ["0123456789abcdef0123456789abcdef", "0123456789ABCDEF0123456789ABCDEF", "ffffffffffffffffffffffffffffffff"];
    private static readonly string[] Shas = [new('a', 64), new('A', 64), new('b', 64)];
    private static readonly string[] Ja4s = ["t13d1516h2_8daaf6152771_e5627efa2ab1", "T13D1516H2_8DAAF6152771_E5627EFA2AB1", "q13d0310h3_55b375c5d22e_cd85d2d88918"];
    private static readonly string?[] Apps = ["dns", "http", "tls", "TLS", "unknown", "quic", null];
    private static readonly string[] Addresses = ["10.0.0.1", "10.0.0.2", "::ffff:10.0.0.1", "2001:db8::1", "192.0.2.7"];
    private static readonly int[] Ports = [53, 80, 443, 40000, 0];
    private static readonly int[] Protocols = [6, 17, 1, 58];

    private static readonly string[] Patterns =
    [
        "*.example.com", "www.*", "*example*", "*", "*.PDF", "files.example.com/report*.pdf", "*com", "WWW.EXAMPLE.COM", "*/b.zip",
        "h*.example.com/*", "curl/*", "*(x11)", "\u00c9T\u00c9.*", "*.example.*", "b.c.d", "nothing.example", "*report1.pdf*",
    ];

    private readonly TempDirectory _directory = new("session-blocks");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void IndexedSearch_EqualsTheScan_ByteForByte_ForRandomRecordsAndFilters()
    {
        var file = 0;
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var documents = Enumerable.Range(0, random.Next(0, 120)).Select(i => Document(random, i)).ToList();
            var path = Write(documents, blockBytes: random.Next(200, 4000), $"f{file++}");
            for (var f = 0; f < 12; f++)
            {
                var (filter, _) = SessionFilter.Parse(Arguments(random));
                Assert.NotNull(filter);
                var indexed = SessionSearch.SearchFile(path, filter);
                var scanned = SessionMetadataBuilder.ReadLines(path).Where(l => filter.Matches(l.Document)).ToList();

                Assert.Equal(Answer(scanned.Select(s => s.Line)), Answer(indexed.Matches.Select(m => m.Line)));
                Assert.Empty(indexed.OptionsNotIndexed);
                // The index narrows: never more records read than the file holds, and at least the matches.
                Assert.InRange(indexed.RecordsRead, indexed.Matches.Count, documents.Count);
            }
        }, iter: 60);
    }

    [Fact]
    public void ManyRecords_WrittenWithBlocksAndTermBatchesInFlight_AreTheSameBytesEachTime_AndSearchLikeTheScan()
    {
        // Blocks are compressed and terms indexed on other threads: thousands of small blocks and
        // several term batches must still give one file, the same on every write, searched like the scan.
        var random = new Random(4242);
        var documents = Enumerable.Range(0, 9_000).Select(i => Document(random, i)).ToList();
        var first = File.ReadAllBytes(Write(documents, blockBytes: 1500, "many-1"));
        var path = Write(documents, blockBytes: 1500, "many-2");
        Assert.Equal(first, File.ReadAllBytes(path));
        for (var f = 0; f < 40; f++)
        {
            var (filter, _) = SessionFilter.Parse(Arguments(random));
            Assert.NotNull(filter);
            var indexed = SessionSearch.SearchFile(path, filter);
            var scanned = SessionMetadataBuilder.ReadLines(path).Where(l => filter.Matches(l.Document)).ToList();
            Assert.Equal(Answer(scanned.Select(s => s.Line)), Answer(indexed.Matches.Select(m => m.Line)));
        }
    }

    [Fact]
    public void FoldAddress_OfText_IsTheParsedAddressTerm_ForCanonicalAndOddIPv4Text()
    {
        // The writer's shortcut for dotted IPv4 text must give the term parsing and formatting gives.
        var part = Gen.OneOf<string>(Gen.Int[0, 300].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.OneOf("0", "00", "01", "007", "255", "256", "", "1a", "-1", "1234"));
        Gen.OneOf<string>(part.Array[1, 6].Select(p => string.Join('.', p)), Gen.OneOf("::ffff:10.0.0.1", "2001:db8::1", "10.0.0.1 ", "1..2.3"))
            .Sample(text => Assert.Equal(
                System.Net.IPAddress.TryParse(text, out var address) ? SessionIndexTerms.FoldAddress(address) : null,
                SessionIndexTerms.FoldAddress(text)), iter: 20_000);
    }

    [Fact]
    public void IndexedSearch_ReadsOnlyTheCandidates_AndAnswersEveryFieldFromTheIndex()
    {
        var random = new Random(7);
        var documents = Enumerable.Range(0, 400).Select(i => Document(random, i)).ToList();
        documents.Add(new SessionDocument { SegmentId = 1, Id = 400, Client = "10.9.9.9", Server = "10.9.9.8", TlsSni = "needle.example.zz", Protocol = 6 });
        var path = Write(documents, blockBytes: 2048, "needle");

        var (filter, _) = SessionFilter.Parse(new SessionFilterArguments { Sni = "*.example.zz" });
        var result = SessionSearch.SearchFile(path, filter!);

        var match = Assert.Single(result.Matches);
        Assert.Equal(400, match.Document.Id);
        Assert.Equal(1, result.RecordsRead);
        using var file = SessionBlockFile.Open(path);
        Assert.True(file.Blocks.Count > 10);
    }

    [Theory]
    [InlineData("ja3")]
    [InlineData("ja4")]
    [InlineData("sni")]
    public void IndexedSearch_FindsASecondClientHellosFingerprintOrName_ReadingOnlyItsRecord(string option)
    {
        // A HelloRetryRequest session: its first hello's values are common, its second hello's unique.
        var random = new Random(11);
        var documents = Enumerable.Range(0, 400).Select(i => Document(random, i)).ToList();
        documents.Add(new SessionDocument
        {
            SegmentId = 1, Id = 400, Client = "10.9.9.9", Server = "10.9.9.8", Protocol = 6, TlsSni = Names[0], Ja3 = Hashes[0], Ja4 = Ja4s[0],
            TlsHelloRetryRequest = true, TlsRetryJa3 = "d1981e0797eb2010c834a30e7bce53b2", TlsRetryJa4 = "t13d1715h2_5b57614c22b0_7121afd63204",
        });
        documents.Add(new SessionDocument
        {
            SegmentId = 1, Id = 401, Client = "10.9.9.7", Server = "10.9.9.8", Protocol = 17, QuicSni = Names[0], QuicJa4 = Ja4s[2],
            QuicHelloRetryRequest = true, QuicRetrySni = "retry.example.zz",
        });
        var path = Write(documents, blockBytes: 2048, "retry-" + option);

        var (arguments, expected) = option switch
        {
            "ja3" => (new SessionFilterArguments { Ja3 = "D1981E0797EB2010C834A30E7BCE53B2" }, 400),
            "ja4" => (new SessionFilterArguments { Ja4 = "t13d1715h2_5b57614c22b0_7121afd63204" }, 400),
            _ => (new SessionFilterArguments { Sni = "*.example.zz" }, 401),
        };
        var result = SessionSearch.SearchFile(path, SessionFilter.Parse(arguments).Filter!);

        Assert.Equal(expected, Assert.Single(result.Matches).Document.Id);
        Assert.Equal(1, result.RecordsRead);
    }

    [Fact]
    public void BlockFile_DecompressesWithZstdToTheJsonLines_AndLedgerHashIsTheirs()
    {
        var random = new Random(3);
        var documents = Enumerable.Range(0, 50).Select(i => Document(random, i)).ToList();
        var path = Write(documents, blockBytes: 1024, "plain", out var recordsSha256);
        var expected = Encoding.UTF8.GetBytes(string.Concat(documents.Select(d => Line(d) + "\n")));

        Assert.Equal(expected, SessionBlockFile.DecompressAll(path));
        Assert.Equal(SHA256.HashData(expected), recordsSha256);
        if (ExternalTools.Find("zstd") is { } zstd)
        {
            // The format's promise: a standard zstd prints exactly the JSON lines (the index frames are skipped).
            var (exitCode, output, _) = ExternalTools.Run(zstd, ["-dc", path]);
            Assert.Equal(0, exitCode);
            Assert.Equal(expected, Encoding.UTF8.GetBytes(output));
        }
    }

    [Fact]
    public void EmptySegment_HasAnIndexAndNoBlocks_AndAnswersNothing()
    {
        var path = Write([], blockBytes: 1024, "empty");
        var (filter, _) = SessionFilter.Parse(new SessionFilterArguments());

        var result = SessionSearch.SearchFile(path, filter!);

        Assert.Empty(result.Matches);
        Assert.Empty(SessionBlockFile.DecompressAll(path));
        using var file = SessionBlockFile.Open(path);
        Assert.Equal(0, file.RecordCount);
        Assert.Empty(file.Blocks);
    }

    [Fact]
    public void DamagedIndex_IsReportedBySearchFile_WhileTheRecordsStillRead()
    {
        var random = new Random(5);
        var documents = Enumerable.Range(0, 80).Select(i => Document(random, i)).ToList();
        var path = Write(documents, blockBytes: 1024, "damaged-index");
        var bytes = File.ReadAllBytes(path);
        using (var file = SessionBlockFile.Open(path))
        {
            // A byte inside the index frame's compressed payload (its zstd checksum fails).
            var indexStart = bytes.Length - (int)file.IndexBytes;
            bytes[indexStart + 8 + ((int)file.IndexBytes - 28) / 2] ^= 0x40;
        }

        File.WriteAllBytes(path, bytes);
        var (filter, _) = SessionFilter.Parse(new SessionFilterArguments { App = "dns" });

        var error = Assert.Throws<SessionIndexCorruptException>(() => SessionSearch.SearchFile(path, filter!));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(documents.Count, SessionMetadataBuilder.ReadLines(path).Count());
    }

    [Fact]
    public void DamagedBlock_OrTruncatedFile_IsCorruptNamingTheFile()
    {
        var random = new Random(9);
        var documents = Enumerable.Range(0, 80).Select(i => Document(random, i)).ToList();
        var path = Write(documents, blockBytes: 1024, "damaged-block");
        var bytes = File.ReadAllBytes(path);
        var flipped = (byte[])bytes.Clone();
        flipped[40] ^= 0x01;
        File.WriteAllBytes(path, flipped);

        var block = Assert.Throws<SessionIndexCorruptException>(() => SessionBlockFile.DecompressAll(path));
        Assert.Contains(path, block.Message, StringComparison.Ordinal);

        File.WriteAllBytes(path, bytes[..^5]);
        var truncated = Assert.Throws<SessionIndexCorruptException>(() => SessionBlockFile.Open(path));
        Assert.Contains("footer", truncated.Message, StringComparison.Ordinal);
    }

    private string Write(List<SessionDocument> documents, int blockBytes, string name) => Write(documents, blockBytes, name, out _);

    private string Write(List<SessionDocument> documents, int blockBytes, string name, out byte[] recordsSha256)
    {
        using var writer = new SessionBlockWriter(blockBytes);
        foreach (var document in documents)
        {
            writer.Add(Encoding.UTF8.GetBytes(Line(document)), document);
        }

        var (contents, sha, _) = writer.Finish();
        recordsSha256 = sha;
        var path = _directory.File(name + ".sessions.jsonl.zst");
        File.WriteAllBytes(path, contents);
        return path;
    }

    private static string Line(SessionDocument document)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            SessionDocumentJson.Write(writer, document);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static byte[] Answer(IEnumerable<ReadOnlyMemory<byte>> lines)
    {
        using var answer = new MemoryStream();
        foreach (var line in lines)
        {
            answer.Write(line.Span);
            answer.WriteByte((byte)'\n');
        }

        return answer.ToArray();
    }

    private static SessionDocument Document(Random random, long id)
    {
        var first = 1_700_000_000_000_000_000L + (id * 1_000_000_000L) + random.Next(0, 1_000_000);
        var app = Pick(random, Apps);
        return new SessionDocument
        {
            SegmentId = 1,
            Id = id,
            Protocol = Pick(random, Protocols),
            Client = Pick(random, Addresses),
            ClientPort = Pick(random, Ports),
            Server = Pick(random, Addresses),
            ServerPort = Pick(random, Ports),
            FirstNanoseconds = first,
            LastNanoseconds = first + (random.Next(0, 5) * 1_000_000_000L),
            Application = app,
            DnsQueries = Some(random, Names),
            HttpHosts = Some(random, Names),
            HttpUris = Some(random, Uris),
            HttpUserAgents = Some(random, Agents),
            TlsSni = random.Next(3) == 0 ? Pick(random, Names) : null,
            QuicSni = random.Next(5) == 0 ? Pick(random, Names) : null,
            Ja3 = random.Next(3) == 0 ? Pick(random, Hashes) : null,
            Ja3S = random.Next(4) == 0 ? Pick(random, Hashes) : null,
            Ja4 = random.Next(3) == 0 ? Pick(random, Ja4s) : null,
            Ja4S = random.Next(5) == 0 ? Pick(random, Ja4s) : null,
            QuicJa4 = random.Next(5) == 0 ? Pick(random, Ja4s) : null,
            TlsHelloRetryRequest = random.Next(4) == 0,
            TlsRetryJa3 = random.Next(4) == 0 ? Pick(random, Hashes) : null,
            TlsRetryJa4 = random.Next(4) == 0 ? Pick(random, Ja4s) : null,
            TlsRetrySni = random.Next(5) == 0 ? Pick(random, Names) : null,
            QuicHelloRetryRequest = random.Next(5) == 0,
            QuicRetryJa4 = random.Next(5) == 0 ? Pick(random, Ja4s) : null,
            QuicRetrySni = random.Next(5) == 0 ? Pick(random, Names) : null,
            CertificateSha256 = Some(random, Shas),
            FileSha256 = Some(random, Shas),
            EndReason = "IdleTimeout",
        };
    }

    private static SessionFilterArguments Arguments(Random random)
    {
        string? Maybe(Func<string> value) => random.Next(4) == 0 ? value() : null;
        string Pattern() => random.Next(2) == 0 ? Pick(random, Patterns) : Pick(random, Names.Concat(Uris).Concat(Agents).ToArray());
        var t0 = 1_700_000_000L + random.Next(0, 150);
        return new SessionFilterArguments
        {
            Sni = Maybe(Pattern),
            Domain = Maybe(Pattern),
            Url = Maybe(Pattern),
            HostHeader = Maybe(Pattern),
            UserAgent = Maybe(Pattern),
            Ja3 = Maybe(() => Pick(random, Hashes)),
            Ja4 = Maybe(() => Pick(random, Ja4s)),
            CertSha256 = Maybe(() => Pick(random, Shas)),
            FileSha256 = Maybe(() => Pick(random, Shas)),
            App = Maybe(() => Pick(random, Apps) ?? "ssh"),
            Host = Maybe(() => Pick(random, Addresses)),
            Port = Maybe(() => Pick(random, Ports).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Proto = Maybe(() => Pick(random, ["tcp", "udp", "icmp", "58"])),
            From = random.Next(6) == 0 ? t0.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
            To = random.Next(6) == 0 ? (t0 + 200).ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
        };
    }

    private static T Pick<T>(Random random, T[] values) => values[random.Next(values.Length)];

    private static string[] Some(Random random, string[] values) =>
        random.Next(3) == 0 ? [] : Enumerable.Range(0, random.Next(1, 3)).Select(_ => Pick(random, values)).Distinct().ToArray();
}
