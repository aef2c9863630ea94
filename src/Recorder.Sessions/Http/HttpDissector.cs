using System.Globalization;
using System.Text;
using Recorder.Sessions.Reassembly;

namespace Recorder.Sessions.Http;

/// <summary>Claims TCP streams that open with an HTTP/1.x request line or status line (RFC 9112 §3, §4), whatever the port.</summary>
public sealed class HttpDissectorFactory(IHttpBodySink? bodies = null) : IStreamDissectorFactory
{
    /// <summary>The application name of HTTP sessions.</summary>
    public const string ApplicationName = "http";

    private static readonly byte[][] Methods = Array.ConvertAll<string, byte[]>(
        ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE", "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT"], Encoding.ASCII.GetBytes);

    /// <inheritdoc />
    public string Application => ApplicationName;

    /// <inheritdoc />
    public bool Claims(bool fromClient, ReadOnlySpan<byte> firstBytes)
    {
        var end = firstBytes.IndexOf((byte)'\n');
        if (end < 0)
        {
            return false;
        }

        var line = firstBytes[..end];
        if (!line.IsEmpty && line[^1] == '\r')
        {
            line = line[..^1];
        }

        return fromClient ? IsRequestLine(line) : IsStatusLine(line);
    }

    /// <inheritdoc />
    public IStreamDissector Create(SessionRecord session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var metadata = new HttpSessionMetadata();
        session.Metadata = metadata;
        return new HttpDissector(session, metadata, bodies);
    }

    internal static bool IsRequestLine(ReadOnlySpan<byte> line)
    {
        var space = line.IndexOf((byte)' ');
        if (space <= 0)
        {
            return false;
        }

        var method = line[..space];
        var known = false;
        foreach (var m in Methods)
        {
            if (method.SequenceEqual(m))
            {
                known = true;
                break;
            }
        }

        var rest = line[(space + 1)..];
        var second = rest.LastIndexOf((byte)' ');
        return known && second > 0 && IsVersion(rest[(second + 1)..]);
    }

    internal static bool IsStatusLine(ReadOnlySpan<byte> line) =>
        line.Length >= 12 && IsVersion(line[..8]) && line[8] == ' '
        && char.IsAsciiDigit((char)line[9]) && char.IsAsciiDigit((char)line[10]) && char.IsAsciiDigit((char)line[11])
        && (line.Length == 12 || line[12] == ' ');

    internal static bool IsVersion(ReadOnlySpan<byte> text) =>
        text.Length == 8 && text.StartsWith("HTTP/1."u8) && char.IsAsciiDigit((char)text[7]);
}

/// <summary>
/// Parses both directions of an HTTP/1.x connection: pipelined and keep-alive requests matched to
/// responses in order, bodies framed by Content-Length, chunked coding or the end of the
/// connection (RFC 9112 §6.3). A gap inside a body of known length is skipped (the body is marked
/// cut); a gap anywhere else loses the framing of that direction, which is then recorded as
/// malformed and not parsed further.
/// </summary>
internal sealed class HttpDissector(SessionRecord session, HttpSessionMetadata metadata, IHttpBodySink? bodies) : IStreamDissector
{
    /// <summary>A header block longer than this is malformed (the direction stops being parsed).</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    /// <summary>Header values kept are cut to this many characters.</summary>
    public const int MaxValueLength = 8 * 1024;

    private readonly Queue<HttpTransaction> awaitingResponse = new();
    private readonly HttpDirection client = new(true);
    private readonly HttpDirection server = new(false);
    private long transactionCount;

    public void OnData(bool fromClient, ReadOnlySpan<byte> data, long timestampNanoseconds)
    {
        var direction = fromClient ? client : server;
        while (!data.IsEmpty && direction.State != ParseState.Lost)
        {
            var used = direction.State switch
            {
                ParseState.Headers => ConsumeHeaders(direction, data, timestampNanoseconds),
                ParseState.Body or ParseState.UntilClose => ConsumeBody(direction, data),
                ParseState.ChunkSize or ParseState.ChunkDataEnd or ParseState.Trailers => ConsumeChunkLine(direction, data),
                ParseState.ChunkData => ConsumeBody(direction, data),
                _ => data.Length,
            };
            direction.Position += used;
            data = data[used..];
        }

        if (direction.State == ParseState.Lost)
        {
            direction.Position += data.Length;
        }
    }

    public void OnGap(bool fromClient, long missingBytes)
    {
        var direction = fromClient ? client : server;
        direction.Position += missingBytes;
        var body = direction.Current is null ? null : (fromClient ? direction.Current.RequestBody : direction.Current.ResponseBody);
        switch (direction.State)
        {
            case ParseState.Body when missingBytes <= direction.Remaining:
                body!.CutByGap = true;
                body.WireLength += missingBytes;
                direction.Remaining -= missingBytes;
                if (direction.Remaining == 0)
                {
                    EndBody(direction, complete: true);
                }

                return;
            case ParseState.UntilClose:
                body!.CutByGap = true;
                body.WireLength += missingBytes;
                return;
            case ParseState.Headers when direction.HeaderLength == 0 && fromClient:
                // Between requests the next message may still be found only by chance: stop here.
                break;
        }

        if (body is not null)
        {
            body.CutByGap = true;
            EndBody(direction, complete: false);
        }

        Lose(direction, $"gap of {missingBytes} octets at stream offset {direction.Position - missingBytes} lost the message framing");
    }

    public void OnEnd()
    {
        foreach (var direction in (ReadOnlySpan<HttpDirection>)[client, server])
        {
            if (direction.State == ParseState.UntilClose)
            {
                EndBody(direction, complete: true);
            }
            else if (direction.State is ParseState.Body or ParseState.ChunkSize or ParseState.ChunkData or ParseState.ChunkDataEnd or ParseState.Trailers)
            {
                EndBody(direction, complete: false);
            }
            else if (direction.State == ParseState.Headers && direction.HeaderLength > 0)
            {
                SetMalformed(direction, "connection ended inside a header block");
            }
        }
    }

    private int ConsumeHeaders(HttpDirection direction, ReadOnlySpan<byte> data, long timestamp)
    {
        if (direction.HeaderLength == 0)
        {
            // Tolerate empty lines between messages (RFC 9112 §2.2).
            var skip = 0;
            while (skip < data.Length && data[skip] is (byte)'\r' or (byte)'\n')
            {
                skip++;
            }

            if (skip > 0)
            {
                return skip;
            }

            direction.HeaderStart = timestamp;
        }

        var take = Math.Min(data.Length, MaxHeaderBytes - direction.HeaderLength);
        direction.EnsureHeaderCapacity(direction.HeaderLength + take);
        data[..take].CopyTo(direction.HeaderBuffer.AsSpan(direction.HeaderLength));
        var searchFrom = Math.Max(0, direction.HeaderLength - 3);
        direction.HeaderLength += take;
        var block = direction.HeaderBuffer.AsSpan(0, direction.HeaderLength);
        var end = FindHeaderEnd(block, searchFrom, out var terminatorLength);
        if (end < 0)
        {
            if (direction.HeaderLength >= MaxHeaderBytes)
            {
                Lose(direction, $"header block longer than {MaxHeaderBytes} octets");
            }

            return take;
        }

        var headerBytes = end + terminatorLength;
        var usedFromData = take - (direction.HeaderLength - headerBytes);
        direction.HeaderLength = 0;
        direction.PendingAdvance = usedFromData;
        OnHeaderBlock(direction, block[..end], direction.HeaderStart);
        direction.PendingAdvance = 0;
        return usedFromData;
    }

    private static int FindHeaderEnd(ReadOnlySpan<byte> block, int from, out int terminatorLength)
    {
        for (var i = from; i < block.Length; i++)
        {
            if (block[i] != '\n')
            {
                continue;
            }

            if (i + 1 < block.Length && block[i + 1] == '\n')
            {
                terminatorLength = 2;
                return i;
            }

            if (i + 2 < block.Length && block[i + 1] == '\r' && block[i + 2] == '\n')
            {
                terminatorLength = 3;
                return i;
            }
        }

        terminatorLength = 0;
        return -1;
    }

    private void OnHeaderBlock(HttpDirection direction, ReadOnlySpan<byte> block, long timestamp)
    {
        var lineEnd = block.IndexOf((byte)'\n');
        var startLine = TrimCr(lineEnd < 0 ? block : block[..lineEnd]);
        var headers = lineEnd < 0 ? default : block[(lineEnd + 1)..];
        var fields = HeaderFields.Parse(headers);
        if (direction.FromClient)
        {
            OnRequest(direction, startLine, fields, timestamp);
        }
        else
        {
            OnResponse(direction, startLine, fields, timestamp);
        }
    }

    private void OnRequest(HttpDirection direction, ReadOnlySpan<byte> line, HeaderFields fields, long timestamp)
    {
        if (!HttpDissectorFactory.IsRequestLine(line))
        {
            Lose(direction, "not an HTTP/1.x request line");
            return;
        }

        var first = line.IndexOf((byte)' ');
        var last = line.LastIndexOf((byte)' ');
        var transaction = new HttpTransaction
        {
            Index = transactionCount++,
            Method = Text(line[..first]),
            Uri = Text(line[(first + 1)..last]),
            RequestVersion = Text(line[(last + 1)..]),
            Host = fields.Host,
            UserAgent = fields.UserAgent,
            RequestContentType = fields.ContentType,
            RequestContentLength = fields.ContentLength,
            RequestTransferEncoding = fields.TransferEncoding,
            RequestContentEncoding = fields.ContentEncoding,
            RequestContentDisposition = fields.ContentDisposition,
            RequestNanoseconds = timestamp,
        };
        if (metadata.Transactions.Count < HttpSessionMetadata.MaxTransactions)
        {
            metadata.Transactions.Add(transaction);
        }
        else
        {
            metadata.DroppedTransactions++;
        }

        awaitingResponse.Enqueue(transaction);
        direction.Current = transaction;
        if (fields.Chunked)
        {
            StartBody(direction, HttpBodyFraming.Chunked, 0);
        }
        else if (fields.ContentLength > 0)
        {
            StartBody(direction, HttpBodyFraming.ContentLength, fields.ContentLength.Value);
        }
        else if (fields.ContentLengthInvalid)
        {
            Lose(direction, "invalid Content-Length");
        }
    }

    private void OnResponse(HttpDirection direction, ReadOnlySpan<byte> line, HeaderFields fields, long timestamp)
    {
        if (!HttpDissectorFactory.IsStatusLine(line))
        {
            Lose(direction, "not an HTTP/1.x status line");
            return;
        }

        var status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        if (status is >= 100 and < 200 && status != 101)
        {
            // Interim responses (100 Continue, 103 Early Hints) precede the final one.
            return;
        }

        if (!awaitingResponse.TryDequeue(out var transaction))
        {
            transaction = new HttpTransaction { Index = transactionCount++ };
            if (metadata.Transactions.Count < HttpSessionMetadata.MaxTransactions)
            {
                metadata.Transactions.Add(transaction);
            }
            else
            {
                metadata.DroppedTransactions++;
            }
        }

        transaction.StatusCode = status;
        transaction.ResponseVersion = Text(line[..8]);
        transaction.Reason = line.Length > 13 ? Text(line[13..]) : string.Empty;
        transaction.ResponseContentType = fields.ContentType;
        transaction.ResponseContentLength = fields.ContentLength;
        transaction.ResponseTransferEncoding = fields.TransferEncoding;
        transaction.ResponseContentEncoding = fields.ContentEncoding;
        transaction.ResponseContentDisposition = fields.ContentDisposition;
        transaction.ResponseNanoseconds = timestamp;
        direction.Current = transaction;
        if (status == 101 || (transaction.Method == "CONNECT" && status is >= 200 and < 300))
        {
            // The connection now carries another protocol (RFC 9110 §9.3.6, §15.2.2).
            Lose(direction, null);
            Lose(client, null);
            return;
        }

        if (transaction.Method == "HEAD" || status is 204 or 304)
        {
            return;
        }

        if (fields.Chunked)
        {
            StartBody(direction, HttpBodyFraming.Chunked, 0);
        }
        else if (fields.ContentLength is { } length)
        {
            if (length > 0)
            {
                StartBody(direction, HttpBodyFraming.ContentLength, length);
            }
        }
        else if (fields.ContentLengthInvalid)
        {
            Lose(direction, "invalid Content-Length");
        }
        else
        {
            StartBody(direction, HttpBodyFraming.UntilClose, 0);
        }
    }

    private void StartBody(HttpDirection direction, HttpBodyFraming framing, long length)
    {
        var body = new HttpBody { Framing = framing, StreamOffset = direction.Position + direction.PendingAdvance };
        if (direction.FromClient)
        {
            direction.Current!.RequestBody = body;
        }
        else
        {
            direction.Current!.ResponseBody = body;
        }

        direction.Remaining = length;
        direction.State = framing switch
        {
            HttpBodyFraming.ContentLength => ParseState.Body,
            HttpBodyFraming.Chunked => ParseState.ChunkSize,
            _ => ParseState.UntilClose,
        };
        bodies?.OnBodyStart(session, direction.Current!, direction.FromClient);
    }

    private int ConsumeBody(HttpDirection direction, ReadOnlySpan<byte> data)
    {
        var body = direction.FromClient ? direction.Current!.RequestBody! : direction.Current!.ResponseBody!;
        var take = direction.State == ParseState.UntilClose ? data.Length : (int)Math.Min(data.Length, direction.Remaining);
        body.WireLength += take;
        body.Length += take;
        bodies?.OnBodyData(direction.Current!, direction.FromClient, data[..take]);
        if (direction.State == ParseState.UntilClose)
        {
            return take;
        }

        direction.Remaining -= take;
        if (direction.Remaining == 0)
        {
            if (direction.State == ParseState.ChunkData)
            {
                direction.State = ParseState.ChunkDataEnd;
            }
            else
            {
                EndBody(direction, complete: true);
            }
        }

        return take;
    }

    // Chunk-size lines, the CRLF after chunk data and the trailer section (RFC 9112 §7.1).
    private int ConsumeChunkLine(HttpDirection direction, ReadOnlySpan<byte> data)
    {
        var newline = data.IndexOf((byte)'\n');
        var chunk = newline < 0 ? data : data[..(newline + 1)];
        if (direction.LineLength + chunk.Length > 1024)
        {
            Lose(direction, "chunk line longer than 1024 octets");
            return data.Length;
        }

        chunk.CopyTo(direction.LineBuffer.AsSpan(direction.LineLength));
        direction.LineLength += chunk.Length;
        var body = direction.FromClient ? direction.Current!.RequestBody! : direction.Current!.ResponseBody!;
        body.WireLength += chunk.Length;
        if (newline < 0)
        {
            return chunk.Length;
        }

        var line = TrimCr(direction.LineBuffer.AsSpan(0, direction.LineLength - 1));
        direction.LineLength = 0;
        switch (direction.State)
        {
            case ParseState.ChunkDataEnd:
                if (!line.IsEmpty)
                {
                    Lose(direction, "chunk data not followed by CRLF");
                    break;
                }

                direction.State = ParseState.ChunkSize;
                break;
            case ParseState.ChunkSize:
                var extension = line.IndexOf((byte)';');
                var digits = (extension < 0 ? line : line[..extension]).Trim((byte)' ');
                if (!long.TryParse(Encoding.ASCII.GetString(digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0 || digits.Length > 15)
                {
                    Lose(direction, "bad chunk size");
                    break;
                }

                if (size == 0)
                {
                    direction.State = ParseState.Trailers;
                }
                else
                {
                    direction.Remaining = size;
                    direction.State = ParseState.ChunkData;
                }

                break;
            case ParseState.Trailers:
                if (line.IsEmpty)
                {
                    EndBody(direction, complete: true);
                }

                break;
        }

        return chunk.Length;
    }

    private void EndBody(HttpDirection direction, bool complete)
    {
        var transaction = direction.Current;
        var body = transaction is null ? null : (direction.FromClient ? transaction.RequestBody : transaction.ResponseBody);
        if (body is not null)
        {
            body.Complete = complete;
            bodies?.OnBodyEnd(transaction!, direction.FromClient);
        }

        if (direction.State != ParseState.Lost)
        {
            direction.State = ParseState.Headers;
        }
    }

    private void Lose(HttpDirection direction, string? reason)
    {
        if (direction.State is ParseState.Body or ParseState.ChunkSize or ParseState.ChunkData or ParseState.ChunkDataEnd or ParseState.Trailers or ParseState.UntilClose)
        {
            var body = direction.FromClient ? direction.Current?.RequestBody : direction.Current?.ResponseBody;
            if (body is not null)
            {
                direction.State = ParseState.Lost;
                body.Complete = false;
                bodies?.OnBodyEnd(direction.Current!, direction.FromClient);
            }
        }

        direction.State = ParseState.Lost;
        if (reason is not null)
        {
            SetMalformed(direction, reason);
        }
    }

    private void SetMalformed(HttpDirection direction, string reason)
    {
        if (direction.FromClient)
        {
            metadata.ClientMalformed ??= reason;
        }
        else
        {
            metadata.ServerMalformed ??= reason;
        }
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) =>
        !line.IsEmpty && line[^1] == '\r' ? line[..^1] : line;

    internal static string Text(ReadOnlySpan<byte> bytes) =>
        Encoding.Latin1.GetString(bytes.Length > MaxValueLength ? bytes[..MaxValueLength] : bytes);

    private enum ParseState
    {
        Headers,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        UntilClose,
        Lost,
    }

    private sealed class HttpDirection(bool fromClient)
    {
        public bool FromClient { get; } = fromClient;

        public ParseState State { get; set; }

        public byte[] HeaderBuffer { get; private set; } = [];

        public int HeaderLength { get; set; }

        public long HeaderStart { get; set; }

        public byte[] LineBuffer { get; } = new byte[1024];

        public int LineLength { get; set; }

        public long Remaining { get; set; }

        // Stream offset of the octets consumed so far (advanced by OnData after each step).
        public long Position { get; set; }

        // Octets of the current step consumed before a body starts (the header block's tail).
        public long PendingAdvance { get; set; }

        public HttpTransaction? Current { get; set; }

        public void EnsureHeaderCapacity(int size)
        {
            if (HeaderBuffer.Length < size)
            {
                var grown = new byte[Math.Min(MaxHeaderBytes, Math.Max(size, Math.Max(512, HeaderBuffer.Length * 2)))];
                HeaderBuffer.CopyTo(grown, 0);
                HeaderBuffer = grown;
            }
        }
    }
}
