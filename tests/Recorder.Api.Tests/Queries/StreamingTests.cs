using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Recorder.Api.Queries;
using Recorder.Api.Tests.Support;
using Recorder.Core.Formats;
using Recorder.TestSupport;

namespace Recorder.Api.Tests.Queries;

/// <summary>Results stream while the job runs, chunk by chunk, against a real Kestrel on 127.0.0.1.</summary>
public sealed class StreamingTests
{
    [Fact]
    public async Task Pcap_StreamsBeforeTheJobEnds_AndEndsWithTheResultFilesBytes()
    {
        using var store = ServiceTestStore.Create(packets: 20_000);
        var elephant = store.Truth.Elephant;
        var expected = store.Expected(elephant.Server, elephant.ServerPort);

        // Paced so the job runs for seconds: the stream's first packets must arrive while it still runs.
        var options = store.Options() with
        {
            ExtractionBytesPerSecond = 600_000,
            Chunks = new ChunkOptions { MaxPackets = 400, MaxDelay = TimeSpan.FromMilliseconds(200) },
        };
        await using var service = await KestrelService.StartAsync(options);
        using var alice = service.As(store.Tokens["alice"]);
        var submitted = Stopwatch.StartNew();
        var id = await alice.SubmitAsync(ApiClient.Query(elephant.Server, elephant.ServerPort, store.Window));

        using var response = await alice.Http.GetAsync($"/api/queries/{id}/pcap", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.tcpdump.pcap", response.Content.Headers.ContentType?.MediaType);
        await using var body = await response.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        string? stateAtFirstPacket = null;
        TimeSpan? firstPacketAfter = null;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, read);
            if (stateAtFirstPacket is null && received.Length > 24 + 16)
            {
                firstPacketAfter = submitted.Elapsed;
                stateAtFirstPacket = (await alice.GetJsonAsync("/api/queries/" + id))["state"]!.GetValue<string>();
            }
        }

        Assert.Equal("running", stateAtFirstPacket);
        var status = await alice.WaitSettledAsync(id);
        Assert.Equal("succeeded", status["state"]!.GetValue<string>());
        var result = status["result"]!;
        var resultFile = Path.Combine(store.StorePath, "extractions", id, result["file"]!.GetValue<string>());
        Assert.Equal(File.ReadAllBytes(resultFile), received.ToArray());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(received.ToArray())), result["sha256"]!.GetValue<string>());
        Assert.Equal(expected.Sha256, result["sha256"]!.GetValue<string>());
        Assert.Equal(expected.Packets, result["packets"]!.GetValue<int>());
        Assert.True(firstPacketAfter < TimeSpan.FromSeconds(3), $"first packet after {firstPacketAfter}");
    }

    [Fact]
    public async Task Chunks_AreStandalonePcaps_CutAtTheLimit_HashedAndLedgered()
    {
        using var store = ServiceTestStore.Create(packets: 20_000);
        var elephant = store.Truth.Elephant;
        var expected = CaptureFiles.Read(store.Expected(elephant.Server, elephant.ServerPort).Path);
        var options = store.Options() with { Chunks = new ChunkOptions { MaxPackets = 300, MaxBytes = 1L << 30, MaxDelay = TimeSpan.FromMinutes(10) } };
        await using var service = await KestrelService.StartAsync(options);
        using var alice = service.As(store.Tokens["alice"]);
        var id = await alice.SubmitAsync(ApiClient.Query(elephant.Server, elephant.ServerPort, store.Window));
        await alice.WaitSettledAsync(id);

        var listing = await alice.GetJsonAsync($"/api/queries/{id}/chunks");
        Assert.True(listing["complete"]!.GetValue<bool>());
        var chunks = listing["chunks"]!.AsArray();
        Assert.Equal((expected.Count + 299) / 300, chunks.Count);
        var ledger = LedgerFile.ForQuery(store.StorePath, id).Where(e => e["action"]!.GetValue<string>() == "query.chunk-written").ToList();
        Assert.Equal(chunks.Count, ledger.Count);
        var packets = new List<TestPacket>();
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i]!;
            Assert.Equal(i + 1, chunk["number"]!.GetValue<int>());
            using var response = await alice.GetAsync(chunk["url"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            Assert.Equal(chunk["sha256"]!.GetValue<string>(), sha);
            Assert.Equal(sha, ledger[i]["hashes"]!["chunk"]!.GetValue<string>());
            Assert.Equal("alice", ledger[i]["actor"]!["name"]!.GetValue<string>());
            Assert.Equal("CASE-42", ledger[i]["case"]!.GetValue<string>());

            // Each chunk is a capture file by itself, readable by Core's reader (and tcpdump).
            using var reader = CaptureFileReader.Open(new MemoryStream(bytes), $"chunk {i + 1}");
            Assert.Equal(CaptureFileFormat.Pcap, reader.Format);
            var inChunk = 0;
            while (reader.TryRead(out var packet))
            {
                packets.Add(new TestPacket(packet.LinkType, packet.TimestampNanoseconds, packet.OriginalLength, packet.Data.ToArray()));
                inChunk++;
            }

            Assert.True(inChunk <= 300, $"chunk {i + 1} holds {inChunk} packets");
            Assert.Equal(chunk["packets"]!.GetValue<int>(), inChunk);
        }

        Assert.Equal(CaptureFiles.Digest(expected), CaptureFiles.Digest(packets));
    }

    [Fact]
    public async Task Chunks_AreCutByTime_WhenPacketsTrickle()
    {
        using var store = ServiceTestStore.Create(packets: 20_000);
        var elephant = store.Truth.Elephant;
        var options = store.Options() with
        {
            ExtractionBytesPerSecond = 400_000,
            Chunks = new ChunkOptions { MaxPackets = 1_000_000, MaxBytes = 1L << 30, MaxDelay = TimeSpan.FromMilliseconds(300) },
        };
        await using var service = await KestrelService.StartAsync(options);
        using var alice = service.As(store.Tokens["alice"]);
        var id = await alice.SubmitAsync(ApiClient.Query(elephant.Server, elephant.ServerPort, store.Window));
        var firstChunkSeen = await alice.WaitAsync(id, s => s["chunks"]!.AsArray().Count > 0, TimeSpan.FromSeconds(20));
        Assert.Equal("running", firstChunkSeen["state"]!.GetValue<string>());
        var done = await alice.WaitSettledAsync(id);
        Assert.True(done["chunks"]!.AsArray().Count >= 3, "a paced query of several seconds cut by time alone gives several chunks");
    }

    [Fact]
    public async Task Cancel_KeepsThePartialResult_MarkedAndLedgeredAsPartial()
    {
        using var store = ServiceTestStore.Create(packets: 20_000);
        var elephant = store.Truth.Elephant;
        var expected = CaptureFiles.Read(store.Expected(elephant.Server, elephant.ServerPort).Path);
        var options = store.Options() with
        {
            ExtractionBytesPerSecond = 200_000,
            Chunks = new ChunkOptions { MaxPackets = 100, MaxDelay = TimeSpan.FromMilliseconds(100) },
        };
        await using var service = await KestrelService.StartAsync(options);
        using var alice = service.As(store.Tokens["alice"]);
        var id = await alice.SubmitAsync(ApiClient.Query(elephant.Server, elephant.ServerPort, store.Window));
        await alice.WaitAsync(id, s => s["chunks"]!.AsArray().Count >= 2);
        using (var cancel = await alice.Http.DeleteAsync("/api/queries/" + id))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }

        var done = await alice.WaitSettledAsync(id);
        Assert.Equal("cancelled", done["state"]!.GetValue<string>());
        Assert.Equal("alice", done["cancelledBy"]!.GetValue<string>());
        var result = done["result"]!;
        Assert.True(result["partial"]!.GetValue<bool>());
        var partial = CaptureFiles.Read(Path.Combine(store.StorePath, "extractions", id, result["file"]!.GetValue<string>()));
        Assert.Equal(result["packets"]!.GetValue<int>(), partial.Count);
        Assert.InRange(partial.Count, 1, expected.Count - 1);
        Assert.True(partial.Zip(expected).All(p => p.First.SameAs(p.Second)), "the partial result is a prefix of the whole");

        var entries = LedgerFile.ForQuery(store.StorePath, id);
        var cancelled = Assert.Single(entries, e => e["action"]!.GetValue<string>() == "query.cancelled");
        Assert.Equal("alice", cancelled["actor"]!["name"]!.GetValue<string>());
        var written = Assert.Single(entries, e => e["action"]!.GetValue<string>() == "extraction.written");
        Assert.True(written["details"]!["partial"]!.GetValue<bool>());
        Assert.Equal("alice", written["details"]!["cancelledBy"]!.GetValue<string>());
        Assert.Equal(result["sha256"]!.GetValue<string>(), written["hashes"]!["output"]!.GetValue<string>());

        // The whole store, ledger and partial extraction included, still verifies.
        Assert.Contains("verified", store.Run("verify"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_OfAQueuedQuery_EndsItWithoutOutput()
    {
        using var store = ServiceTestStore.Create(packets: 5_000);
        await using var service = await KestrelService.StartAsync(store.Options(workers: 0));
        using var alice = service.As(store.Tokens["alice"]);
        var id = await alice.SubmitAsync(ApiClient.Query(store.Needle.Server, store.Needle.ServerPort, store.Window));
        using (var cancel = await alice.Http.DeleteAsync("/api/queries/" + id))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }

        var done = await alice.GetJsonAsync("/api/queries/" + id);
        Assert.Equal("cancelled", done["state"]!.GetValue<string>());
        Assert.Null(done["result"]);
        using var pcap = await alice.GetAsync($"/api/queries/{id}/pcap");
        Assert.Equal(HttpStatusCode.Conflict, pcap.StatusCode);
        Assert.DoesNotContain(LedgerFile.ForQuery(store.StorePath, id), e => e["action"]!.GetValue<string>() == "extraction.written");
    }
}
