using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Recorder.Api.Serving;
using Recorder.TestSupport;

namespace Recorder.Api.Tests.Serving;

/// <summary>
/// Fault injection between the check and the send: the file is the recorded one when checked and
/// changed (same size) when sent. The response must be cut off, not completed, and the change
/// recorded with the hash of what was actually sent.
/// </summary>
public sealed class RecordedFileResultTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-serve");

    [Fact]
    public async Task AFileChangedBetweenTheCheckAndTheSend_IsCutOff_AndRecordedWithTheHashSent()
    {
        var original = Enumerable.Range(0, 3 * VerifiedCopy.BufferBytes + 100).Select(i => unchecked((byte)i)).ToArray();
        var changed = (byte[])original.Clone();
        changed[^10] ^= 1;
        var path = _directory.File("result.pcap");
        await File.WriteAllBytesAsync(path, original);
        var recorded = new RecordedFile(path, original.Length, Convert.ToHexStringLower(SHA256.HashData(original)));
        var opens = 0;
        var (http, body, lifetime) = Context();
        var events = new List<string>();
        ReadOutcome? altered = null;

        var result = new RecordedFileResult(recorded, "application/vnd.tcpdump.pcap", "r.pcap", new ServeAudit(
            Refused: _ => { events.Add("refused"); return Results.StatusCode(409); },
            Serving: () => events.Add("serving"),
            Altered: sent => { events.Add("altered"); altered = sent; }),
            _ => new MemoryStream(++opens == 1 ? original : changed));
        await result.ExecuteAsync(http);

        Assert.Equal(["serving", "altered"], events);
        Assert.True(lifetime.Aborted);
        Assert.Equal(original.Length, http.Response.ContentLength);
        Assert.True(body.Length < original.Length, $"{body.Length} of {original.Length} bytes were sent");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(changed)), altered!.Sha256);
        Assert.Equal(original.Length, altered.Bytes);
    }

    [Fact]
    public async Task AFileChangedBeforeTheCheck_IsRefusedBeforeAnyHeader()
    {
        var original = Enumerable.Range(0, 5000).Select(i => unchecked((byte)i)).ToArray();
        var path = _directory.File("chunk.pcap");
        await File.WriteAllBytesAsync(path, original);
        var recorded = new RecordedFile(path, original.Length, Convert.ToHexStringLower(SHA256.HashData(original)));
        original[0] ^= 1;
        await File.WriteAllBytesAsync(path, original);
        var (http, body, lifetime) = Context();
        var events = new List<string>();

        var result = new RecordedFileResult(recorded, "application/vnd.tcpdump.pcap", "c.pcap", new ServeAudit(
            Refused: found => { events.Add("refused " + found.Sha256); return Results.StatusCode(409); },
            Serving: () => events.Add("serving"),
            Altered: _ => events.Add("altered")));
        await result.ExecuteAsync(http);

        Assert.Equal(["refused " + Convert.ToHexStringLower(SHA256.HashData(original))], events);
        Assert.Equal(409, http.Response.StatusCode);
        Assert.Equal(0, body.Length);
        Assert.False(lifetime.Aborted);
    }

    public void Dispose() => _directory.Dispose();

    private static (DefaultHttpContext Http, MemoryStream Body, Lifetime Lifetime) Context()
    {
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        var body = new MemoryStream();
        http.Response.Body = body;
        var lifetime = new Lifetime();
        http.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
        return (http, body, lifetime);
    }

    private sealed class Lifetime : IHttpRequestLifetimeFeature
    {
        public bool Aborted { get; private set; }

        public CancellationToken RequestAborted { get; set; }

        public void Abort() => Aborted = true;
    }
}
