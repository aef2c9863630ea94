using System.Text;
using CsCheck;
using Recorder.Sessions.Http;

namespace Recorder.Sessions.Tests.Http;

public sealed class HttpDissectorTests
{
    private static (SessionRecord Record, HttpSessionMetadata Http, BodyRecorder Bodies) Run(IEnumerable<byte[]> frames)
    {
        var bodies = new BodyRecorder();
        var record = Assert.Single(Traffic.Run(frames, streams: [new HttpDissectorFactory(bodies)]));
        return (record, Assert.IsType<HttpSessionMetadata>(record.Metadata), bodies);
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    [Fact]
    public void PipelinedRequests_AreMatchedToResponsesInOrder()
    {
        var c = new Traffic.Conversation(serverPort: 8000);
        var requests = Ascii("GET /a HTTP/1.1\r\nHost: one.example\r\nUser-Agent: ua/1\r\n\r\nHEAD /b HTTP/1.1\r\nHost: one.example\r\n\r\nGET /c HTTP/1.1\r\nHost: one.example\r\n\r\n");
        var responses = Ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
            + "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
            + "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno!");
        var (_, http, bodies) = Run([.. c.Handshake(), c.FromClient(0, requests), c.FromServer(0, responses.AsSpan(0, 40)), c.FromServer(40, responses.AsSpan(40))]);
        Assert.Equal(["/a", "/b", "/c"], http.Transactions.Select(t => t.Uri));
        Assert.Equal([200, 200, 404], http.Transactions.Select(t => t.StatusCode!.Value));
        Assert.Equal("ua/1", http.Transactions[0].UserAgent);
        Assert.Equal("one.example", http.Transactions[2].Host);
        Assert.Null(http.Transactions[1].ResponseBody);
        Assert.Equal(1000, http.Transactions[1].ResponseContentLength);
        Assert.Equal(["hello", "no!"], bodies.Completed);
        var first = http.Transactions[0].ResponseBody!;
        Assert.Equal(responses.AsSpan().IndexOf("hello"u8), first.StreamOffset);
        Assert.True(first.Complete);
    }

    [Fact]
    public void ChunkedBody_IsDecodedAndItsWireLengthKept()
    {
        var c = new Traffic.Conversation(serverPort: 8000);
        var body = "4\r\nWiki\r\n6;ext=1\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\n";
        var response = Ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
        var frames = c.Handshake().ToList();
        frames.Add(c.FromClient(0, Ascii("GET / HTTP/1.1\r\nHost: h\r\n\r\n")));
        for (var i = 0; i < response.Length; i += 7)
        {
            frames.Add(c.FromServer((uint)i, response.AsSpan(i, Math.Min(7, response.Length - i))));
        }

        var (_, http, bodies) = Run(frames);
        var t = Assert.Single(http.Transactions);
        Assert.Equal("Wikipedia in \r\n\r\nchunks.", Assert.Single(bodies.Completed));
        Assert.Equal(HttpBodyFraming.Chunked, t.ResponseBody!.Framing);
        Assert.Equal(body.Length, t.ResponseBody.WireLength);
        Assert.Equal(24, t.ResponseBody.Length);
        Assert.True(t.ResponseBody.Complete);
        Assert.Equal("chunked", t.ResponseTransferEncoding);
    }

    [Fact]
    public void GapInsideAContentLengthBody_MarksTheBodyCutAndParsingContinues()
    {
        var c = new Traffic.Conversation(serverPort: 8000);
        var first = Ascii("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n");
        var second = Ascii("HTTP/1.1 204 No Content\r\n\r\n");
        var requests = Ascii("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
        var (record, http, _) = Run([.. c.Handshake(), c.FromClient(0, requests),
            c.FromServer(0, first), c.FromServer((uint)first.Length, Ascii("01234")),
            c.FromServer((uint)first.Length + 10, Ascii("ABCDEFGHIJ")), c.FromServer((uint)first.Length + 20, second)]);
        Assert.True(record.ContentIncomplete);
        Assert.True(http.Transactions[0].ResponseBody!.CutByGap);
        Assert.Equal(15, http.Transactions[0].ResponseBody!.Length);
        Assert.Equal(204, http.Transactions[1].StatusCode);
        Assert.Null(http.ServerMalformed);
    }

    [Fact]
    public void BodyUntilClose_EndsWithTheConnection()
    {
        var c = new Traffic.Conversation(serverPort: 8000);
        var (_, http, bodies) = Run([.. c.Handshake(), c.FromClient(0, Ascii("GET / HTTP/1.0\r\n\r\n")),
            c.FromServer(0, Ascii("HTTP/1.0 200 OK\r\n\r\nall of it")), c.FromServer(28, default, Traffic.Fin | Traffic.Ack)]);
        Assert.Equal(HttpBodyFraming.UntilClose, http.Transactions[0].ResponseBody!.Framing);
        Assert.Equal("all of it", Assert.Single(bodies.Completed));
    }

    [Fact]
    public void PostWithBody_AndInterim100Continue()
    {
        var c = new Traffic.Conversation(serverPort: 8000);
        var (_, http, bodies) = Run([.. c.Handshake(),
            c.FromClient(0, Ascii("POST /up HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\nDATA")),
            c.FromServer(0, Ascii("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"))]);
        var t = Assert.Single(http.Transactions);
        Assert.Equal(201, t.StatusCode);
        Assert.Equal("text/plain", t.RequestContentType);
        Assert.Equal(["DATA"], bodies.Completed);
    }

    [Fact]
    public void RandomStreams_NeverThrow()
    {
        Gen.Select(Gen.String[Gen.Char["GET /HTP1.0\r\n:ContentLgh-Tasfrcd0123456789abcdef;"], 0, 400], Gen.String[Gen.Char["HTP/1.0 2345\r\n:ContentLgh-Tasfrcd0123456789abcdef;"], 0, 400]).Sample((request, response) =>
        {
            var c = new Traffic.Conversation(serverPort: 8000);
            var record = Assert.Single(Traffic.Run([.. c.Handshake(), c.FromClient(0, Ascii("GET / HTTP/1.1\r\n" + request)), c.FromServer(0, Ascii("HTTP/1.1 200 OK\r\n" + response))],
                streams: [new HttpDissectorFactory()]));
            return record.DissectorFailure is null && record.Application == "http";
        }, iter: 500);
    }

    private sealed class BodyRecorder : IHttpBodySink
    {
        private readonly Dictionary<(HttpTransaction, bool), List<byte>> open = [];

        public List<string> Completed { get; } = [];

        public void OnBodyStart(SessionRecord session, HttpTransaction transaction, bool request) => open[(transaction, request)] = [];

        public void OnBodyData(HttpTransaction transaction, bool request, ReadOnlySpan<byte> data) => open[(transaction, request)].AddRange(data.ToArray());

        public void OnBodyEnd(HttpTransaction transaction, bool request) => Completed.Add(Encoding.ASCII.GetString([.. open[(transaction, request)]]));
    }
}
