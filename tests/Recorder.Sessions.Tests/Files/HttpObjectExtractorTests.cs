using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CsCheck;
using Recorder.Core.Formats;
using Recorder.Sessions.Files;
using Recorder.Sessions.Http;
using Recorder.TestSupport;
using Xunit.Abstractions;

namespace Recorder.Sessions.Tests.Files;

public sealed class HttpObjectExtractorTests(ITestOutputHelper output)
{
    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static byte[] Content(int length, int seed)
    {
        // Compressible but not trivial: words from a small alphabet.
        var random = new Random(seed);
        var text = new StringBuilder();
        while (text.Length < length)
        {
            text.Append(random.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(' ');
        }

        return Ascii(text.ToString(0, length));
    }

    private static byte[] Encode(string coding, byte[] data)
    {
        var memory = new MemoryStream();
        using (Stream encoder = coding switch
        {
            "gzip" => new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true),
            "deflate" => new ZLibStream(memory, CompressionLevel.Optimal, leaveOpen: true),
            "raw-deflate" => new DeflateStream(memory, CompressionLevel.Optimal, leaveOpen: true),
            _ => new BrotliStream(memory, CompressionLevel.Optimal, leaveOpen: true),
        })
        {
            encoder.Write(data);
        }

        return memory.ToArray();
    }

    private static byte[] Chunked(byte[] body, int chunk)
    {
        var result = new List<byte>();
        for (var i = 0; i < body.Length; i += chunk)
        {
            var n = Math.Min(chunk, body.Length - i);
            result.AddRange(Ascii(n.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "\r\n"));
            result.AddRange(body.AsSpan(i, n).ToArray());
            result.AddRange("\r\n"u8.ToArray());
        }

        result.AddRange("0\r\n\r\n"u8.ToArray());
        return [.. result];
    }

    // Server octets cut into segments of `segment` octets, after one GET.
    private static List<TransferredFile> Download(byte[] response, int segment = 1400, FileExtractionOptions? options = null, string request = "GET /files/report.txt?x=1 HTTP/1.1\r\nHost: h\r\n\r\n", bool close = false)
    {
        var c = new Traffic.Conversation(serverPort: 8000);
        var frames = c.Handshake().ToList();
        frames.Add(c.FromClient(0, Ascii(request)));
        for (var i = 0; i < response.Length; i += segment)
        {
            frames.Add(c.FromServer((uint)i, response.AsSpan(i, Math.Min(segment, response.Length - i))));
        }

        if (close)
        {
            frames.Add(c.FromServer((uint)response.Length, default, Traffic.Fin | Traffic.Ack));
        }

        return Run(frames, options);
    }

    private static List<TransferredFile> Run(IEnumerable<byte[]> frames, FileExtractionOptions? options = null)
    {
        var files = new List<TransferredFile>();
        var extractor = new HttpObjectExtractor(files.Add, options);
        Traffic.Run(frames, streams: [new HttpDissectorFactory(extractor)]);
        Assert.Equal(0, extractor.OpenFiles);
        return files;
    }

    [Theory]
    [InlineData("gzip", true)]
    [InlineData("gzip", false)]
    [InlineData("deflate", false)]
    [InlineData("raw-deflate", false)]
    [InlineData("br", true)]
    [InlineData("br", false)]
    public void EncodedBody_IsDecodedAndHashedAsTheOriginal(string coding, bool chunked)
    {
        var original = Content(300_000, 1);
        var encoded = Encode(coding, original);
        var body = chunked ? Chunked(encoded, 1000) : encoded;
        var head = $"HTTP/1.1 200 OK\r\nContent-Encoding: {(coding == "raw-deflate" ? "deflate" : coding)}\r\n"
            + (chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {encoded.Length}\r\n") + "\r\n";
        var file = Assert.Single(Download([.. Ascii(head), .. body], segment: 977));
        Assert.True(file.Complete, file.Issues + " " + file.DecodingError);
        Assert.True(file.ContentDecoded);
        Assert.Equal(original.Length, file.Length);
        Assert.Equal(encoded.Length, file.EncodedLength);
        Assert.Equal(body.Length, file.WireLength);
        Assert.Equal(Sha256(original), file.Sha256);
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(original)), file.Sha1);
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(original)), file.Md5);
        Assert.Equal("text", file.Type.Name);
        Assert.Equal(("report.txt", FileNameSource.Uri), (file.Name, file.NameSource));
        Assert.Equal(TransferDirection.Download, file.Direction);
    }

    [Fact]
    public void PipelinedResponses_GiveOneFileEachWithItsTransactionAndDispositionName()
    {
        var c = new Traffic.Conversation(serverPort: 8000);
        var pdf = Ascii("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n");
        var gif = Ascii("GIF89a\x01\x00\x01\x00");
        var responses = Ascii($"HTTP/1.1 200 OK\r\nContent-Length: {pdf.Length}\r\nContent-Disposition: attachment; filename=\"in voice.pdf\"\r\n\r\n")
            .Concat(pdf).Concat(Ascii($"HTTP/1.1 200 OK\r\nContent-Disposition: attachment; filename=x.bin; filename*=UTF-8''%C3%A9t%C3%A9.gif\r\nContent-Length: {gif.Length}\r\n\r\n")).Concat(gif).ToArray();
        var files = Run([.. c.Handshake(), c.FromClient(0, Ascii("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b/ HTTP/1.1\r\nHost: h\r\n\r\n")), c.FromServer(0, responses)]);
        Assert.Equal(2, files.Count);
        Assert.Equal([0L, 1L], files.Select(f => f.TransactionIndex));
        Assert.Equal(("in voice.pdf", FileNameSource.ContentDisposition, "pdf"), (files[0].Name, files[0].NameSource, files[0].Type.Name));
        Assert.Equal(("été.gif", "gif"), (files[1].Name, files[1].Type.Name));
        Assert.Equal(Sha256(gif), files[1].Sha256);
        Assert.All(files, f => Assert.Equal(0, f.SessionId));
    }

    [Fact]
    public void PostBody_IsAnUpload()
    {
        var c = new Traffic.Conversation(serverPort: 8000);
        var elf = new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0 };
        var files = Run([.. c.Handshake(),
            c.FromClient(0, [.. Ascii($"POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: {elf.Length}\r\n\r\n"), .. elf]),
            c.FromServer(0, Ascii("HTTP/1.1 204 No Content\r\n\r\n"))]);
        var file = Assert.Single(files);
        Assert.Equal((TransferDirection.Upload, "elf", "upload"), (file.Direction, file.Type.Name, file.Name));
        Assert.Equal(Sha256(elf), file.Sha256);
    }

    [Fact]
    public void BodyUntilClose_IsCompleteWhenTheConnectionCloses()
    {
        var body = Content(5000, 2);
        var file = Assert.Single(Download([.. Ascii("HTTP/1.0 200 OK\r\n\r\n"), .. body], close: true));
        Assert.True(file.Complete);
        Assert.Equal(Sha256(body), file.Sha256);
    }

    [Fact]
    public void GapInBody_MakesTheFileIncompleteAndClaimsNoHash()
    {
        var c = new Traffic.Conversation(serverPort: 8000);
        var head = Ascii("HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n");
        var body = Ascii("0123456789ABCDEFGHIJabcdefghij");
        var files = Run([.. c.Handshake(), c.FromClient(0, Ascii("GET /f HTTP/1.1\r\nHost: h\r\n\r\n")),
            c.FromServer(0, [.. head, .. body.AsSpan(0, 10)]), c.FromServer((uint)(head.Length + 20), body.AsSpan(20))]);
        var file = Assert.Single(files);
        Assert.False(file.Complete);
        Assert.Equal(TransferredFileIssues.Gap, file.Issues);
        Assert.Null(file.Sha256);
        Assert.Null(file.Md5);
        Assert.Equal(10, file.Length);
        Assert.Equal(Sha256(body.AsSpan(0, 10)), file.PartialSha256);
    }

    [Fact]
    public void BodyCutByTheEndOfTheConnection_IsTruncated()
    {
        var encoded = Encode("gzip", Content(100_000, 3));
        var response = Ascii($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {encoded.Length}\r\n\r\n").Concat(encoded.AsSpan(0, encoded.Length / 2).ToArray()).ToArray();
        var file = Assert.Single(Download(response, close: true));
        Assert.True(file.Issues.HasFlag(TransferredFileIssues.Truncated));
        Assert.Null(file.Sha256);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public void CompressedDataEndingEarly_InsideCompleteFraming_IsADecodingFailure(string coding)
    {
        var encoded = Encode(coding, Content(100_000, 4));
        var cut = encoded.AsSpan(0, encoded.Length - 5).ToArray();
        var file = Assert.Single(Download([.. Ascii($"HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\nContent-Length: {cut.Length}\r\n\r\n"), .. cut]));
        Assert.Equal(TransferredFileIssues.DecodingFailed, file.Issues);
        Assert.NotNull(file.DecodingError);
        Assert.Null(file.Sha256);
    }

    [Fact]
    public void DecompressionBomb_StopsAtTheLimitAndSaysSo()
    {
        var encoded = Encode("gzip", new byte[64 << 20]);
        output.WriteLine($"64 MiB of zeros in {encoded.Length} gzip octets");
        var file = Assert.Single(Download([.. Ascii($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {encoded.Length}\r\n\r\n"), .. encoded],
            options: new FileExtractionOptions { MaxDecodedBytes = 1 << 20 }));
        Assert.Equal(TransferredFileIssues.DecodedLimit, file.Issues);
        Assert.Equal(1 << 20, file.Length);
        Assert.Equal(encoded.Length, file.EncodedLength);
        Assert.Null(file.Sha256);
    }

    [Fact]
    public void UnknownOrStackedCoding_KeepsTheEncodedOctetsAndSaysTheyAreNotDecoded()
    {
        var body = Ascii("(zstd frame would be here)");
        var file = Assert.Single(Download([.. Ascii($"HTTP/1.1 200 OK\r\nContent-Encoding: zstd\r\nContent-Length: {body.Length}\r\n\r\n"), .. body]));
        Assert.False(file.ContentDecoded);
        Assert.True(file.Complete);
        Assert.Equal(Sha256(body), file.Sha256);
    }

    [Fact]
    public void MalformedCompressedData_IsReportedNotThrown()
    {
        var garbage = Ascii("this is not gzip at all, not even close........");
        var file = Assert.Single(Download([.. Ascii($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {garbage.Length}\r\n\r\n"), .. garbage]));
        Assert.Equal(TransferredFileIssues.DecodingFailed, file.Issues);
    }

    [Fact]
    public void RandomBodiesUnderEveryCoding_NeverThrow()
    {
        Gen.Select(Gen.Byte.Array[0, 3000], Gen.Int[0, 4].Select(i => new[] { "gzip", "deflate", "br", "identity", "gzip, br" }[i]), Gen.Int[1, 700]).Sample((body, coding, segment) =>
        {
            var files = Download([.. Ascii($"HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\nContent-Length: {body.Length}\r\n\r\n"), .. body], segment);
            return files.Count == (body.Length == 0 ? 0 : 1) && files.All(f => f.Complete == (f.Sha256 is not null));
        }, iter: 300);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'M', (byte)'Z' }, "mz")]
    [InlineData(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0 }, "png")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, "jpeg")]
    [InlineData(new byte[] { 0x1F, 0x8B, 8, 0 }, "gzip")]
    [InlineData(new byte[] { (byte)'P', (byte)'K', 3, 4, 0 }, "zip")]
    [InlineData(new byte[] { 0, 1, 2, 3 }, "binary")]
    [InlineData(new byte[] { }, "empty")]
    public void FileTypes_FromMagicNumbers(byte[] head, string expected) => Assert.Equal(expected, FileTypes.Detect(head).Name);

    [Fact]
    public void FileTypes_PeNeedsItsSignatureAtELfanew_AndHtmlIsSniffedAfterWhitespace()
    {
        var pe = new byte[0x100];
        pe[0] = (byte)'M';
        pe[1] = (byte)'Z';
        pe[0x3C] = 0x80;
        "PE\0\0"u8.CopyTo(pe.AsSpan(0x80));
        Assert.Equal("pe", FileTypes.Detect(pe).Name);
        Assert.Equal("html", FileTypes.Detect(Ascii("\r\n  <!doctype html><html>")).Name);
        Assert.Equal("text", FileTypes.Detect(Ascii("<htmlx")).Name);
        var ooxml = new byte[64];
        "PK\x03\x04"u8.CopyTo(ooxml);
        ooxml[26] = 19;
        "[Content_Types].xml"u8.CopyTo(ooxml.AsSpan(30));
        Assert.Equal("ooxml", FileTypes.Detect(ooxml).Name);
    }

    [SkippableFact]
    public void HttpDownloadCorpus_ObjectsEqualTheManifestAndTsharkExportObjects()
    {
        var shared = ExternalTools.RequireShared();
        var tshark = ExternalTools.Require("tshark", "tshark");
        var capture = Path.Combine(shared, "corpus", "small", "http-download.pcap");
        var files = new List<TransferredFile>();
        var extractor = new HttpObjectExtractor(files.Add);
        var builder = new SessionBuilder(new SessionOptions(), _ => { }, ApplicationSignatures.DefaultStreamFactories(extractor), ApplicationSignatures.DefaultDatagramFactories());
        using (var reader = CaptureFileReader.Open(capture))
        {
            while (reader.TryRead(out var packet))
            {
                builder.Add(packet.LinkType, packet.Data, packet.TimestampNanoseconds, segment: 0, (int)packet.OriginalLength);
            }
        }

        builder.Complete();
        var ours = files.Where(f => f.Complete).Select(f => f.Sha256!).Order(StringComparer.Ordinal).ToList();

        var directory = Directory.CreateTempSubdirectory("export-objects-");
        try
        {
            var (exit, _, stderr) = ExternalTools.Run(tshark, ["-r", capture, "-q", "--export-objects", "http," + directory.FullName]);
            Assert.True(exit == 0, stderr);
            var theirs = directory.GetFiles().Select(f => Sha256(File.ReadAllBytes(f.FullName))).Order(StringComparer.Ordinal).ToList();
            output.WriteLine($"objects: {ours.Count} ours (of {files.Count}), {theirs.Count} from tshark --export-objects");
            Assert.Equal(theirs, ours);
        }
        finally
        {
            directory.Delete(recursive: true);
        }

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(shared, "corpus", "small", "MANIFEST.json")));
        var served = manifest.RootElement.GetProperty("served_files");
        foreach (var entry in served.EnumerateObject())
        {
            var sha = entry.Value.GetProperty("sha256").GetString()!;
            var match = files.FirstOrDefault(f => f.Sha256 == sha);
            Assert.True(match is not null, $"{entry.Name} ({sha}) not among the objects");
            Assert.Equal(entry.Value.GetProperty("size").GetInt64(), match.Length);
            Assert.Equal(entry.Value.GetProperty("md5").GetString(), match.Md5);
            output.WriteLine($"{entry.Name}: {match.Name} {match.Type.Name} {match.Length} octets, SHA-256 equal to MANIFEST");
        }
    }
}
