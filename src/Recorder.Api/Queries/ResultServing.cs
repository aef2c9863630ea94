using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Recorder.Api.Hosting;
using Recorder.Api.Security;
using Recorder.Api.Serving;
using Recorder.Core.Hashing;
using Recorder.Core.Store;

namespace Recorder.Api.Queries;

/// <summary>
/// How a query's files leave the service: what is served is what was ledgered. A recorded file (an
/// ended result, a chunk, an artifact) goes through <see cref="RecordedFileResult"/>; a result still
/// being written is followed and its streamed bytes compared with the recorded result at the end.
/// </summary>
internal static class ResultServing
{
    /// <summary>
    /// Streams a result that is still being written: its hash is only known when the query ends, so
    /// the bytes sent are hashed and compared with it then; a difference (the file changed under the
    /// writer) cuts the response off before its end instead of completing it.
    /// </summary>
    public static async Task FollowAsync(HttpContext http, ServiceRuntime runtime, QueryRecord record, string path, string contentType)
    {
        var caller = http.Caller();
        var attempt = record.Attempt;
        var aborted = http.RequestAborted;
        runtime.Ledger.Record(caller.Name, LedgerActions.ResultRead, new JsonObject { ["queryId"] = record.Id }, null, new JsonObject
        {
            ["what"] = "pcap",
            ["stateWhenRead"] = record.State.ToString().ToLowerInvariant(),
            ["attempt"] = attempt,
            ["node"] = runtime.NodeName,
        }, record.Case, record.Reason);
        var response = http.Response;
        response.ContentType = contentType;
        response.Headers.ContentDisposition = $"attachment; filename=\"{record.Id}.{record.Format}\"";
        response.Headers["X-Recorder-Query"] = record.Id;
        await response.StartAsync(aborted).ConfigureAwait(false);
        var restarted = false;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long sent = 0;
        try
        {
            await ResultFollower.CopyAsync(path, async (bytes, token) =>
            {
                hash.AppendData(bytes.Span);
                sent += bytes.Length;
                await response.Body.WriteAsync(bytes, token).ConfigureAwait(false);
                await response.Body.FlushAsync(token).ConfigureAwait(false);
            }, () =>
            {
                var current = runtime.Queries.Load(record.Id)!;
                if (current.Attempt != attempt)
                {
                    restarted = true;
                    return -1;
                }

                return current.Ended ? current.Result?.Bytes ?? new FileInfo(path).Length : null;
            }, token => runtime.Hub.WaitAsync(record.Id, TimeSpan.FromMilliseconds(100), token), aborted).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            restarted = true;
        }

        if (restarted)
        {
            // The worker died and the query starts over: this stream cannot be completed, so the
            // client must see it broken rather than take a prefix for the whole.
            http.Abort();
            return;
        }

        var final = runtime.Queries.Load(record.Id)!.Result;
        var sha256 = Hex.Lower(hash.GetHashAndReset());
        if (final is null || final.Sha256 != sha256 || final.Bytes != sent)
        {
            // Chunked, and the last chunk not yet sent: aborting now leaves the client an unterminated body.
            runtime.Ledger.Record(caller.Name, LedgerActions.ResultReadRefused, new JsonObject { ["queryId"] = record.Id },
                new Dictionary<string, string> { ["sent"] = sha256 }, new JsonObject
                {
                    ["what"] = "pcap",
                    ["error"] = $"query {record.Id}: the {sent} bytes streamed have SHA-256 {sha256}, the result was recorded as " +
                        $"{final?.Bytes.ToString(CultureInfo.InvariantCulture) ?? "no"} bytes with SHA-256 {final?.Sha256 ?? "none"}; " +
                        "the stream was cut off before its end",
                    ["bytesRead"] = sent,
                    ["aborted"] = true,
                    ["node"] = runtime.NodeName,
                }, record.Case, record.Reason);
            http.Abort();
        }
    }

    /// <summary>
    /// A recorded file of a query (the ended result, a chunk, an artifact) served through
    /// <see cref="RecordedFileResult"/>: checked against its recorded size and SHA-256, its read ledgered
    /// before the first byte with that hash under <paramref name="hashName"/>, a refusal or a change
    /// while sending ledgered as <c>result.read-refused</c>.
    /// </summary>
    public static RecordedFileResult Recorded(HttpContext http, ServiceRuntime runtime, QueryRecord record, RecordedFile file, string contentType,
        string downloadName, JsonObject subjectsAndWhat, string hashName)
    {
        var caller = http.Caller().Name;
        var what = subjectsAndWhat["what"]!.GetValue<string>();
        JsonObject Subjects()
        {
            var subjects = new JsonObject { ["queryId"] = record.Id };
            foreach (var (key, value) in subjectsAndWhat.Where(p => p.Key != "what"))
            {
                subjects[key] = value?.DeepClone();
            }

            return subjects;
        }

        void Record(string action, Dictionary<string, string> hashes, JsonObject details)
        {
            details["what"] = what;
            details["node"] = runtime.NodeName;
            runtime.Ledger.Record(caller, action, Subjects(), hashes, details, record.Case, record.Reason);
        }

        var label = $"query {record.Id}: {what} {downloadName}";
        http.Response.Headers["X-Recorder-Query"] = record.Id;
        return new RecordedFileResult(file, contentType, downloadName, new ServeAudit(
            Refused: found =>
            {
                var error = $"{label} {found.Describe(file)}: it changed since";
                Record(LedgerActions.ResultReadRefused, new Dictionary<string, string> { ["found"] = found.Sha256 }, new JsonObject { ["error"] = error });
                return Problems.Conflict(error, http.Request.Path);
            },
            Serving: () => Record(LedgerActions.ResultRead, new Dictionary<string, string> { [hashName] = file.Sha256 }, new JsonObject
            {
                ["bytes"] = file.Bytes,
                ["stateWhenRead"] = record.State.ToString().ToLowerInvariant(),
                ["attempt"] = record.Attempt,
            }),
            Altered: sent => Record(LedgerActions.ResultReadRefused, new Dictionary<string, string> { ["sent"] = sent.Sha256 }, new JsonObject
            {
                ["error"] = $"{label} changed while it was being sent (the {sent.Bytes} bytes read have SHA-256 {sent.Sha256}, not {file.Sha256}); " +
                    "the download was cut off before its end",
                ["bytesRead"] = sent.Bytes,
                ["aborted"] = true,
            })));
    }
}
