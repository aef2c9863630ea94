using System.Security.Cryptography;
using Recorder.Sessions.Http;

namespace Recorder.Sessions.Files;

/// <summary>
/// Turns every HTTP request and response body into a <see cref="TransferredFile"/>: chunked framing
/// is already removed by the dissector; a single content coding (gzip, deflate, br) is undone here,
/// with at most <see cref="FileExtractionOptions.MaxDecodedBytes"/> decoded octets per file; the
/// decoded octets are hashed (SHA-256, SHA-1, MD5) as they pass, never buffered whole. One instance
/// serves one <see cref="SessionBuilder"/> (one thread).
/// </summary>
public sealed class HttpObjectExtractor : IHttpBodySink
{
    private readonly Action<TransferredFile> onFile;
    private readonly IFileContentSink? content;
    private readonly long maxDecoded;
    private readonly Dictionary<(HttpTransaction, bool), Extraction> open = [];
    private readonly byte[] decoded = new byte[64 * 1024];

    /// <summary>Creates an extractor that gives each file, once its body ended, to <paramref name="onFile"/>.</summary>
    /// <param name="onFile">Receives each file record when its body ends.</param>
    /// <param name="options">Limits (defaults when null).</param>
    /// <param name="content">Receives the decoded octets as they pass, or null.</param>
    public HttpObjectExtractor(Action<TransferredFile> onFile, FileExtractionOptions? options = null, IFileContentSink? content = null)
    {
        ArgumentNullException.ThrowIfNull(onFile);
        options ??= new FileExtractionOptions();
        options.Validate();
        this.onFile = onFile;
        this.content = content;
        maxDecoded = options.MaxDecodedBytes;
    }

    /// <summary>Files started and not ended yet.</summary>
    public int OpenFiles => open.Count;

    /// <inheritdoc />
    public void OnBodyStart(SessionRecord session, HttpTransaction transaction, bool request)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(transaction);
        var coding = request ? transaction.RequestContentEncoding : transaction.ResponseContentEncoding;
        var (name, source) = FileNames.From(request ? transaction.RequestContentDisposition : transaction.ResponseContentDisposition, transaction.Uri);
        var file = new TransferredFile
        {
            SessionId = session.Id,
            TransactionIndex = transaction.Index,
            Direction = request ? TransferDirection.Upload : TransferDirection.Download,
            Nanoseconds = request ? transaction.RequestNanoseconds : transaction.ResponseNanoseconds,
            Name = name,
            NameSource = source,
            Host = transaction.Host,
            Uri = transaction.Uri,
            DeclaredContentType = request ? transaction.RequestContentType : transaction.ResponseContentType,
            ContentEncoding = coding,
        };
        ContentDecoder? decoder = null;
        if (coding is not null && !IsIdentity(coding))
        {
            // Several codings (applied in order, RFC 9110 §8.4) are not undone: the file is then the encoded octets.
            decoder = coding.Contains(',', StringComparison.Ordinal) ? null : ContentDecoder.Create(coding);
            file.ContentDecoded = decoder is not null;
        }

        if (open.Remove((transaction, request), out var stale))
        {
            stale.Dispose();
        }

        open[(transaction, request)] = new Extraction(file, decoder);
        content?.OnFileStart(file);
    }

    /// <inheritdoc />
    public void OnBodyData(HttpTransaction transaction, bool request, ReadOnlySpan<byte> data)
    {
        if (!open.TryGetValue((transaction, request), out var extraction))
        {
            return;
        }

        extraction.File.EncodedLength += data.Length;
        if (extraction.Stopped)
        {
            return;
        }

        var body = request ? transaction.RequestBody : transaction.ResponseBody;
        if (body is { CutByGap: true })
        {
            // Octets after a gap are not the file's next octets (and break any decoder state).
            Stop(extraction, TransferredFileIssues.Gap);
            return;
        }

        if (extraction.Decoder is null)
        {
            Emit(extraction, data);
            return;
        }

        extraction.Decoder.Feed(data);
        Drain(extraction);
    }

    /// <inheritdoc />
    public void OnBodyEnd(HttpTransaction transaction, bool request)
    {
        if (!open.Remove((transaction, request), out var extraction))
        {
            return;
        }

        var file = extraction.File;
        var body = request ? transaction.RequestBody : transaction.ResponseBody;
        if (body is not null)
        {
            file.WireLength = body.WireLength;
            if (body.CutByGap)
            {
                file.Issues |= TransferredFileIssues.Gap;
            }

            if (!body.Complete)
            {
                file.Issues |= TransferredFileIssues.Truncated;
            }
        }

        if (!extraction.Stopped && extraction.Decoder is not null && file.Complete)
        {
            Drain(extraction);
            var problem = extraction.Stopped ? null : extraction.Decoder.CheckEnd(file.Length);
            if (problem is not null)
            {
                file.Issues |= TransferredFileIssues.DecodingFailed;
                file.DecodingError = problem;
            }
        }

        file.Type = FileTypes.Detect(extraction.Head.AsSpan(0, extraction.HeadLength));
        if (file.Complete)
        {
            file.Sha256 = Convert.ToHexStringLower(extraction.Sha256.GetHashAndReset());
            file.Sha1 = Convert.ToHexStringLower(extraction.Sha1.GetHashAndReset());
            file.Md5 = Convert.ToHexStringLower(extraction.Md5.GetHashAndReset());
        }
        else
        {
            file.PartialSha256 = Convert.ToHexStringLower(extraction.Sha256.GetHashAndReset());
        }

        extraction.Dispose();
        content?.OnFileEnd(file);
        onFile(file);
    }

    private static bool IsIdentity(string coding) => coding.AsSpan().Trim().Equals("identity", StringComparison.OrdinalIgnoreCase) || coding.AsSpan().Trim().IsEmpty;

    private void Drain(Extraction extraction)
    {
        while (!extraction.Stopped)
        {
            int n;
            try
            {
                n = extraction.Decoder!.Read(decoded);
            }
            catch (InvalidDataException e)
            {
                // Hostile or corrupt coded data: recorded on the file, not thrown to the session table.
                extraction.File.DecodingError = e.Message;
                Stop(extraction, TransferredFileIssues.DecodingFailed);
                return;
            }

            if (n == 0)
            {
                return;
            }

            Emit(extraction, decoded.AsSpan(0, n));
        }
    }

    private void Emit(Extraction extraction, ReadOnlySpan<byte> data)
    {
        var file = extraction.File;
        var room = maxDecoded - file.Length;
        var overLimit = data.Length > room;
        if (overLimit)
        {
            data = data[..(int)room];
        }

        if (extraction.HeadLength < extraction.Head.Length)
        {
            var take = Math.Min(data.Length, extraction.Head.Length - extraction.HeadLength);
            data[..take].CopyTo(extraction.Head.AsSpan(extraction.HeadLength));
            extraction.HeadLength += take;
        }

        extraction.Sha256.AppendData(data);
        extraction.Sha1.AppendData(data);
        extraction.Md5.AppendData(data);
        file.Length += data.Length;
        content?.OnFileData(file, data);
        if (overLimit)
        {
            Stop(extraction, TransferredFileIssues.DecodedLimit);
        }
    }

    private static void Stop(Extraction extraction, TransferredFileIssues issue)
    {
        extraction.File.Issues |= issue;
        extraction.Stopped = true;
        extraction.Decoder?.Dispose();
    }

    private sealed class Extraction(TransferredFile file, ContentDecoder? decoder) : IDisposable
    {
        public TransferredFile File { get; } = file;

        public ContentDecoder? Decoder { get; } = decoder;

        public bool Stopped { get; set; }

        public byte[] Head { get; } = new byte[FileTypes.SniffLength];

        public int HeadLength { get; set; }

        public IncrementalHash Sha256 { get; } = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public IncrementalHash Sha1 { get; } = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);

        public IncrementalHash Md5 { get; } = IncrementalHash.CreateHash(HashAlgorithmName.MD5);

        public void Dispose()
        {
            Decoder?.Dispose();
            Sha256.Dispose();
            Sha1.Dispose();
            Md5.Dispose();
        }
    }
}

/// <summary>A file's name from Content-Disposition (RFC 6266 §4.3: filename* before filename) or the URI's last path segment.</summary>
internal static class FileNames
{
    public static (string? Name, FileNameSource Source) From(string? disposition, string? uri)
    {
        if (disposition is not null)
        {
            var name = Parameter(disposition, "filename*") is { } extended ? DecodeExtended(extended) : Parameter(disposition, "filename");
            name = LastSegment(name);
            if (!string.IsNullOrEmpty(name))
            {
                return (name, FileNameSource.ContentDisposition);
            }
        }

        if (uri is not null)
        {
            var path = uri.AsSpan();
            var end = path.IndexOfAny('?', '#');
            if (end >= 0)
            {
                path = path[..end];
            }

            var segment = path[(path.LastIndexOf('/') + 1)..];
            if (!segment.IsEmpty)
            {
                return (System.Uri.UnescapeDataString(segment.ToString()), FileNameSource.Uri);
            }
        }

        return (null, FileNameSource.None);
    }

    private static string? Parameter(string header, string name)
    {
        foreach (var part in header.Split(';'))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && part.AsSpan(0, equals).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                var value = part[(equals + 1)..].Trim();
                return value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal) : value;
            }
        }

        return null;
    }

    // RFC 8187 §3.2: charset'language'percent-encoded; UTF-8 and ISO-8859-1 are the charsets it requires.
    private static string? DecodeExtended(string value)
    {
        var first = value.IndexOf('\'', StringComparison.Ordinal);
        var second = first < 0 ? -1 : value.IndexOf('\'', first + 1);
        return second < 0 ? null : System.Uri.UnescapeDataString(value[(second + 1)..]);
    }

    // Only the last component: a name is metadata here and must not carry a path.
    public static string? LastSegment(string? name) =>
        name is null ? null : name[(name.LastIndexOfAny(['/', '\\']) + 1)..];
}
