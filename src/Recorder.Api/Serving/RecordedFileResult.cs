using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Recorder.Api.Serving;

/// <summary>
/// What an endpoint records around serving a recorded file. <see cref="Refused"/> runs when the file
/// on disk is not the recorded one before anything is sent, and returns the answer (a 409 problem);
/// <see cref="Serving"/> runs once it is, before the first byte leaves (the read entry);
/// <see cref="Altered"/> runs when the bytes changed while they were being sent (the response is then
/// aborted).
/// </summary>
internal sealed record ServeAudit(Func<ReadOutcome, IResult> Refused, Action Serving, Action<ReadOutcome> Altered);

/// <summary>
/// Serves a file the ledger recorded with a size and SHA-256, so that what is served is what was
/// ledgered: the file is hashed first (a changed file is refused with a clean 409 before any header
/// goes out), then sent while the exact bytes sent are hashed again, because the file can change
/// between the check and the send. A change found then cannot be answered with a status any more:
/// the last buffer is withheld and the connection reset, so the client sees a broken download, never
/// a complete-looking one, and the change is recorded with the hash of what was actually sent.
/// </summary>
internal sealed class RecordedFileResult : IResult
{
    private readonly RecordedFile _file;
    private readonly string _contentType;
    private readonly string _downloadName;
    private readonly ServeAudit _audit;
    private readonly Func<string, Stream> _open;

    /// <summary>Serves <paramref name="file"/> as <paramref name="contentType"/>, offered for download as <paramref name="downloadName"/>.</summary>
    public RecordedFileResult(RecordedFile file, string contentType, string downloadName, ServeAudit audit)
        : this(file, contentType, downloadName, audit, OpenForReading)
    {
    }

    /// <summary>As above, with the files opened by <paramref name="open"/> (tests change the bytes between the check and the send).</summary>
    internal RecordedFileResult(RecordedFile file, string contentType, string downloadName, ServeAudit audit, Func<string, Stream> open)
    {
        _file = file;
        _contentType = contentType;
        _downloadName = downloadName;
        _audit = audit;
        _open = open;
    }

    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var aborted = httpContext.RequestAborted;
        var before = await CheckAsync(aborted).ConfigureAwait(false);
        if (!before.Matches)
        {
            await _audit.Refused(before).ExecuteAsync(httpContext).ConfigureAwait(false);
            return;
        }

        _audit.Serving();
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = _contentType;
        response.ContentLength = _file.Bytes;
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(_downloadName);
        response.Headers.ContentDisposition = disposition.ToString();
        var source = _open(_file.Path);
        ReadOutcome sent;
        await using (source.ConfigureAwait(false))
        {
            sent = await VerifiedCopy.CopyAsync(source, _file, (bytes, token) => response.Body.WriteAsync(bytes, token), VerifiedCopy.BufferBytes, aborted)
                .ConfigureAwait(false);
        }

        if (!sent.Matches)
        {
            _audit.Altered(sent);
            httpContext.Abort();
        }
    }

    /// <summary>The file on disk against the record: its bytes, and its size (a file that grew is not the recorded one either).</summary>
    private async Task<ReadOutcome> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var check = _open(_file.Path);
            await using (check.ConfigureAwait(false))
            {
                var outcome = await VerifiedCopy.CheckAsync(check, _file, cancellationToken).ConfigureAwait(false);
                return outcome.Matches && check.Length != _file.Bytes ? outcome with { Matches = false } : outcome;
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return ReadOutcome.Missing;
        }
    }

    /// <summary>Shares reading and writing, so a writer (or a tamperer) is not locked out and is noticed by the hash instead.</summary>
    private static FileStream OpenForReading(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
}
