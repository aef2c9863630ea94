using Recorder.Synthesis.Flows;
using Recorder.Synthesis.Randomness;

namespace Recorder.Synthesis.Packets;

/// <summary>
/// HTTP/1.1 requests and response heads (RFC 9112). A response's Content-Length is exactly the body
/// bytes the server sends in that round, so a reassembling reader finds whole messages.
/// </summary>
internal static class HttpMessages
{
    public const int MaximumRequestLength = 400;

    private const ulong SaltPath = 0x4771;

    public static int RequestLength(ulong flowKey, int exchange, UInt128 server)
    {
        Span<byte> scratch = stackalloc byte[MaximumRequestLength];
        return WriteRequest(flowKey, exchange, server, scratch);
    }

    public static int WriteRequest(ulong flowKey, int exchange, UInt128 server, Span<byte> destination)
    {
        var h = CounterHash.Of(flowKey, (ulong)exchange, SaltPath);
        var writer = new AsciiWriter(destination);
        writer.Append("GET ");
        switch (CounterHash.Below(h, 5))
        {
            case 0:
                writer.Append("/index.html");
                break;
            case 1:
                writer.Append("/api/v1/items/");
                writer.Append((long)CounterHash.Below(CounterHash.Part(h, 8), 100_000));
                break;
            case 2:
                writer.Append("/assets/");
                writer.AppendHex(unchecked((uint)(h >> 16)), 8);
                writer.Append(".js");
                break;
            case 3:
                writer.Append("/images/");
                writer.Append((long)CounterHash.Below(CounterHash.Part(h, 24), 10_000));
                writer.Append(".jpg");
                break;
            default:
                writer.Append("/downloads/");
                writer.AppendHex((uint)(h >> 32), 8);
                writer.Append(".bin");
                break;
        }

        writer.Append(" HTTP/1.1\r\nHost: ");
        WriteHostName(ref writer, server);
        writer.Append("\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n");
        writer.Append("Accept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n");
        return writer.Length;
    }

    /// <summary>
    /// Writes the head of a 200 response whose head and body together are exactly
    /// <paramref name="total"/> bytes (the server payload of the round); returns the head's length.
    /// The head's length depends on the digits of the body length it announces; where no length
    /// fits, one optional space before a field value (RFC 9110 §5.6.3 OWS) closes the gap.
    /// </summary>
    public static int WriteResponseHead(long total, Span<byte> destination)
    {
        for (var padding = 0; padding <= 1; padding++)
        {
            var shortest = WriteResponseHead(0, padding, destination);
            for (var head = shortest; head <= shortest + 20 && head <= total; head++)
            {
                if (WriteResponseHead(total - head, padding, destination) == head)
                {
                    return head;
                }
            }
        }

        throw new InvalidOperationException($"no HTTP response head fits a round of {total} bytes");
    }

    private static int WriteResponseHead(long bodyLength, int padding, Span<byte> destination)
    {
        var writer = new AsciiWriter(destination);
        writer.Append("HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nContent-Type: application/octet-stream\r\nContent-Length: ");
        writer.Append(bodyLength);
        writer.Append(padding == 0 ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection:  keep-alive\r\n\r\n");
        return writer.Length;
    }

    /// <summary>The server's name as used in Host headers and TLS SNI: <c>www.siteN.example.com</c>.</summary>
    public static void WriteHostName(ref AsciiWriter writer, UInt128 server)
    {
        writer.Append("www.site");
        writer.Append((long)(AddressPlan.Low32(server) & 0xFFFF));
        writer.Append(".example.com");
    }
}
