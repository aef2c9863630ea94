using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.Api.Policies;
using Recorder.Core.Hashing;

namespace Recorder.Api.Sinks;

/// <summary>
/// POSTs each chunk, as soon as it is written, to the sink's URL (a standalone PCAP per request,
/// <c>Content-Type: application/vnd.tcpdump.pcap</c> or <c>application/x-pcapng</c>, headers
/// <c>X-Recorder-Query</c>, <c>X-Recorder-Chunk</c>, <c>X-Recorder-Chunk-Sha256</c>,
/// <c>X-Recorder-Event: chunk</c>), then one JSON request with <c>X-Recorder-Event: complete</c>
/// summarising the query. A chunk is tried <c>1 + retries</c> times; a chunk that still fails ends
/// the sink as failed. Every exchange is logged in the artifact <c>SINK/deliveries.jsonl</c>.
/// </summary>
internal sealed class HttpSink(SinkDefinition definition, SinkContext context) : SinkRunner(definition, context)
{
    private int _delivered;

    protected override string Delivered() => string.Create(CultureInfo.InvariantCulture, $"{Volatile.Read(ref _delivered)} chunk(s) posted");

    protected override async Task<SinkOutcome> RunCoreAsync(CancellationToken stop)
    {
        var log = new StreamWriter(Path.Combine(Context.ArtifactsDirectory, "deliveries.jsonl"), append: false, new UTF8Encoding(false));
        await using (log.ConfigureAwait(false))
        {
            var contentType = Context.Feed.Format == "pcap" ? "application/vnd.tcpdump.pcap" : "application/x-pcapng";
            for (var index = 0; ; index++)
            {
                var chunk = await NextChunkAsync(index, stop).ConfigureAwait(false);
                if (chunk is null)
                {
                    break;
                }

                var bytes = await File.ReadAllBytesAsync(Path.Combine(Context.Feed.ChunksDirectory, chunk.File), stop).ConfigureAwait(false);
                var problem = await PostAsync(log, () =>
                {
                    var content = new ByteArrayContent(bytes);
                    content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
                    return content;
                }, "chunk", chunk.Number, chunk.Sha256, stop).ConfigureAwait(false);
                if (problem is not null)
                {
                    return new SinkOutcome(false, $"chunk {chunk.Number}: {problem}", Delivered());
                }

                Interlocked.Increment(ref _delivered);
            }

            var summary = new JsonObject
            {
                ["queryId"] = Context.Feed.QueryId,
                ["state"] = Context.Feed.FinalState?.ToString().ToLowerInvariant(),
                ["chunks"] = Context.Feed.ChunkCount,
                ["packets"] = Context.Feed.Result?.Packets,
                ["bytes"] = Context.Feed.Result?.Bytes,
                ["sha256"] = Context.Feed.Result?.Sha256,
                ["partial"] = Context.Feed.Result?.Partial,
            }.ToJsonString();
            var completion = await PostAsync(log, () => new StringContent(summary, Encoding.UTF8, "application/json"), "complete", null,
                Hex.Lower(SHA256.HashData(Encoding.UTF8.GetBytes(summary))), stop).ConfigureAwait(false);
            return completion is null
                ? new SinkOutcome(true, null, Delivered())
                : new SinkOutcome(false, "completion notice: " + completion, Delivered());
        }
    }

    private async Task<string?> PostAsync(StreamWriter log, Func<HttpContent> content, string kind, int? number, string sha256, CancellationToken stop)
    {
        string? problem = null;
        for (var attempt = 1; attempt <= 1 + Definition.Retries; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * (1 << Math.Min(attempt - 2, 4))), stop).ConfigureAwait(false);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, Definition.Url) { Content = content() };
            request.Headers.Add("X-Recorder-Query", Context.Feed.QueryId);
            request.Headers.Add("X-Recorder-Event", kind);
            if (number is { } n)
            {
                request.Headers.Add("X-Recorder-Chunk", n.ToString(CultureInfo.InvariantCulture));
                request.Headers.Add("X-Recorder-Chunk-Sha256", sha256);
            }

            foreach (var (name, value) in Definition.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            var entry = new JsonObject { ["event"] = kind, ["chunk"] = number, ["sha256"] = sha256, ["attempt"] = attempt };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
            timeout.CancelAfter(Definition.Timeout);
            try
            {
                using var response = await Context.Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                entry["status"] = (int)response.StatusCode;
                entry["responseBytes"] = body.Length;
                entry["responseSha256"] = Hex.Lower(SHA256.HashData(body));
                problem = response.IsSuccessStatusCode ? null : $"answered {(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (HttpRequestException e)
            {
                problem = e.Message;
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                problem = $"no answer within {Definition.Timeout.TotalSeconds:0.###} s";
            }

            entry["error"] = problem;
            await log.WriteLineAsync(entry.ToJsonString()).ConfigureAwait(false);
            await log.FlushAsync(stop).ConfigureAwait(false);
            if (problem is null)
            {
                return null;
            }
        }

        return $"{problem} (after {1 + Definition.Retries} attempt(s))";
    }
}
