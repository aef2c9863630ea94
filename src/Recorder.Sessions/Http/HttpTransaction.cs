namespace Recorder.Sessions.Http;

/// <summary>How a message body's end is known (RFC 9112 §6.3).</summary>
public enum HttpBodyFraming
{
    /// <summary>Content-Length octets.</summary>
    ContentLength,

    /// <summary>Transfer-Encoding: chunked.</summary>
    Chunked,

    /// <summary>A response without either: the body runs until the server closes the connection.</summary>
    UntilClose,
}

/// <summary>Where one message body is in its direction's reassembled stream, and what came of it.</summary>
public sealed class HttpBody
{
    /// <summary>Offset of the body's first octet in the direction's stream (octets since the stream began, gaps counted).</summary>
    public long StreamOffset { get; internal set; }

    /// <summary>Octets of the body on the wire (chunk framing included), gaps counted.</summary>
    public long WireLength { get; internal set; }

    /// <summary>Decoded octets (chunk framing removed) actually seen; the body's content length when complete.</summary>
    public long Length { get; internal set; }

    /// <summary>How the end is known.</summary>
    public HttpBodyFraming Framing { get; internal set; }

    /// <summary>True when the end was reached as the framing says (for until-close, when the connection closed).</summary>
    public bool Complete { get; internal set; }

    /// <summary>True when a gap removed part of the body: its content is incomplete.</summary>
    public bool CutByGap { get; internal set; }
}

/// <summary>One HTTP/1.x request and its response (either may be missing).</summary>
public sealed class HttpTransaction
{
    /// <summary>Ordinal of the transaction in its session (0 for the first request), counting those beyond <see cref="HttpSessionMetadata.MaxTransactions"/>.</summary>
    public long Index { get; internal set; }

    /// <summary>Request method (<c>http.request.method</c>).</summary>
    public string? Method { get; internal set; }

    /// <summary>Request target as sent (<c>http.request.uri</c>).</summary>
    public string? Uri { get; internal set; }

    /// <summary>Request version (<c>HTTP/1.1</c>).</summary>
    public string? RequestVersion { get; internal set; }

    /// <summary>The Host header (<c>http.host</c>).</summary>
    public string? Host { get; internal set; }

    /// <summary>The User-Agent header (<c>http.user_agent</c>).</summary>
    public string? UserAgent { get; internal set; }

    /// <summary>The request's Content-Type.</summary>
    public string? RequestContentType { get; internal set; }

    /// <summary>The request's Content-Length, when given and valid.</summary>
    public long? RequestContentLength { get; internal set; }

    /// <summary>The request's Transfer-Encoding, as sent.</summary>
    public string? RequestTransferEncoding { get; internal set; }

    /// <summary>The request's Content-Encoding, as sent (several fields joined with ", ").</summary>
    public string? RequestContentEncoding { get; internal set; }

    /// <summary>The request's Content-Disposition, as sent.</summary>
    public string? RequestContentDisposition { get; internal set; }

    /// <summary>Capture time of the request's first octet.</summary>
    public long? RequestNanoseconds { get; internal set; }

    /// <summary>The request body, when it has one.</summary>
    public HttpBody? RequestBody { get; internal set; }

    /// <summary>Status code (<c>http.response.code</c>), null when no response was seen.</summary>
    public int? StatusCode { get; internal set; }

    /// <summary>Reason phrase.</summary>
    public string? Reason { get; internal set; }

    /// <summary>Response version.</summary>
    public string? ResponseVersion { get; internal set; }

    /// <summary>The response's Content-Type (<c>http.content_type</c>).</summary>
    public string? ResponseContentType { get; internal set; }

    /// <summary>The response's Content-Length (<c>http.content_length</c>), when given and valid.</summary>
    public long? ResponseContentLength { get; internal set; }

    /// <summary>The response's Transfer-Encoding, as sent.</summary>
    public string? ResponseTransferEncoding { get; internal set; }

    /// <summary>The response's Content-Encoding, as sent (several fields joined with ", ").</summary>
    public string? ResponseContentEncoding { get; internal set; }

    /// <summary>The response's Content-Disposition, as sent.</summary>
    public string? ResponseContentDisposition { get; internal set; }

    /// <summary>Capture time of the response's first octet.</summary>
    public long? ResponseNanoseconds { get; internal set; }

    /// <summary>The response body, when it has one.</summary>
    public HttpBody? ResponseBody { get; internal set; }
}

/// <summary>Receives decoded body octets as they pass (for object extraction); must not throw.</summary>
public interface IHttpBodySink
{
    /// <summary>A body starts, in <paramref name="session"/>.</summary>
    void OnBodyStart(SessionRecord session, HttpTransaction transaction, bool request);

    /// <summary>Decoded body octets (chunk framing removed, content codings not undone). Valid only during the call.</summary>
    void OnBodyData(HttpTransaction transaction, bool request, ReadOnlySpan<byte> data);

    /// <summary>The body ended (completely or not: see <see cref="HttpBody.Complete"/> and <see cref="HttpBody.CutByGap"/>).</summary>
    void OnBodyEnd(HttpTransaction transaction, bool request);
}

/// <summary>The HTTP transactions of one session, in request order.</summary>
public sealed class HttpSessionMetadata : ISessionMetadata
{
    /// <summary>Transactions kept per session; further ones are counted in <see cref="DroppedTransactions"/>.</summary>
    public const int MaxTransactions = 4096;

    /// <inheritdoc />
    public string Application => HttpDissectorFactory.ApplicationName;

    /// <summary>The transactions.</summary>
    public List<HttpTransaction> Transactions { get; } = [];

    /// <summary>Transactions beyond <see cref="MaxTransactions"/>.</summary>
    public long DroppedTransactions { get; internal set; }

    /// <summary>Why parsing of the client's stream stopped (bad header, gap in framing…), or null.</summary>
    public string? ClientMalformed { get; internal set; }

    /// <summary>Why parsing of the server's stream stopped, or null.</summary>
    public string? ServerMalformed { get; internal set; }
}
