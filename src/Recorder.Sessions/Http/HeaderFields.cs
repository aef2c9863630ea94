using System.Globalization;
using System.Text;

namespace Recorder.Sessions.Http;

/// <summary>The header fields the HTTP dissector keeps, from one header block (after the start line).</summary>
internal readonly struct HeaderFields
{
    public string? Host { get; init; }

    public string? UserAgent { get; init; }

    public string? ContentType { get; init; }

    public long? ContentLength { get; init; }

    public bool ContentLengthInvalid { get; init; }

    public string? TransferEncoding { get; init; }

    public string? ContentEncoding { get; init; }

    public string? ContentDisposition { get; init; }

    /// <summary>Transfer-Encoding's last coding is chunked (RFC 9112 §6.3 rule 4).</summary>
    public bool Chunked { get; init; }

    public static HeaderFields Parse(ReadOnlySpan<byte> headers)
    {
        string? host = null, agent = null, type = null, encoding = null, contentEncoding = null, disposition = null;
        long? length = null;
        var invalid = false;
        while (!headers.IsEmpty)
        {
            var newline = headers.IndexOf((byte)'\n');
            var line = newline < 0 ? headers : headers[..newline];
            headers = newline < 0 ? default : headers[(newline + 1)..];
            if (!line.IsEmpty && line[^1] == '\r')
            {
                line = line[..^1];
            }

            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ').Trim((byte)'\t');
            if (Is(name, "host"u8))
            {
                host ??= HttpDissector.Text(value);
            }
            else if (Is(name, "user-agent"u8))
            {
                agent ??= HttpDissector.Text(value);
            }
            else if (Is(name, "content-type"u8))
            {
                type ??= HttpDissector.Text(value);
            }
            else if (Is(name, "transfer-encoding"u8))
            {
                encoding = encoding is null ? HttpDissector.Text(value) : encoding + ", " + HttpDissector.Text(value);
            }
            else if (Is(name, "content-encoding"u8))
            {
                contentEncoding = contentEncoding is null ? HttpDissector.Text(value) : contentEncoding + ", " + HttpDissector.Text(value);
            }
            else if (Is(name, "content-disposition"u8))
            {
                disposition ??= HttpDissector.Text(value);
            }
            else if (Is(name, "content-length"u8))
            {
                if (value.Length is > 0 and <= 18 && long.TryParse(Encoding.ASCII.GetString(value), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                    && (length is null || length == parsed))
                {
                    length = parsed;
                }
                else
                {
                    invalid = true;
                }
            }
        }

        var chunked = encoding is not null && encoding.TrimEnd().EndsWith("chunked", StringComparison.OrdinalIgnoreCase);
        return new HeaderFields
        {
            Host = host,
            UserAgent = agent,
            ContentType = type,
            ContentLength = invalid ? null : length,
            ContentLengthInvalid = invalid && !chunked,
            TransferEncoding = encoding,
            ContentEncoding = contentEncoding,
            ContentDisposition = disposition,
            Chunked = chunked,
        };
    }

    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> lowerCase)
    {
        if (name.Length != lowerCase.Length)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var b = name[i];
            if (b is >= (byte)'A' and <= (byte)'Z')
            {
                b += 0x20;
            }

            if (b != lowerCase[i])
            {
                return false;
            }
        }

        return true;
    }
}
