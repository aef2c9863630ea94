using System.Text.Json.Nodes;
using Recorder.Capture.Filtering;
using Recorder.Capture.Live;
using Recorder.Core.Time;
using Recorder.Storage.Recording;
using Recorder.Storage.Store;

namespace Recorder.Api.Capture;

/// <summary>A capture that could not be started: the message says why (unknown interface, bad filter, permissions).</summary>
public sealed class CaptureRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CaptureRefusedException(string field, string message)
        : base(message) => Field = field;

    /// <summary>Creates the exception.</summary>
    public CaptureRefusedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public CaptureRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CaptureRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The request field at fault (<c>interface</c>, <c>filter</c>), or empty.</summary>
    public string Field { get; } = string.Empty;
}

/// <summary>
/// Runs one live capture inside the service (started by <c>serve --capture</c> or by an
/// administrator through the API) with the same recorder as <c>recorder capture</c>: segments seal
/// at the store's size and age limits, each is indexed and ledgered, open segments are handed to the
/// OS four times a second, so queries see a packet well within 2 s, before its segment is sealed.
/// </summary>
public sealed class CaptureController : IDisposable
{
    private readonly EvidenceStore _store;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private Running? _running;
    private JsonObject? _last;

    /// <summary>Captures into <paramref name="store"/>.</summary>
    public CaptureController(EvidenceStore store, TimeProvider clock)
    {
        _store = store;
        _clock = clock;
    }

    /// <summary>True while a capture runs.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _running is { Task.IsCompleted: false };
            }
        }
    }

    /// <summary>The capture's state: running or not, interface, filter, counters; the last capture's result.</summary>
    public JsonObject Status()
    {
        lock (_gate)
        {
            var status = new JsonObject { ["running"] = _running is { Task.IsCompleted: false } };
            if (_running is { } running)
            {
                var statistics = running.Source.Statistics();
                status["interface"] = running.Interface;
                status["filter"] = running.Filter;
                status["startedAt"] = running.StartedAt;
                status["startedBy"] = running.StartedBy;
                status["delivered"] = running.Source.Delivered;
                status["received"] = statistics.Received;
                status["kernelDropped"] = statistics.KernelDropped;
                status["interfaceDropped"] = statistics.InterfaceDropped;
                status["recorderDropped"] = statistics.RecorderDropped;
                if (running.Task.IsFaulted)
                {
                    status["error"] = running.Task.Exception!.InnerException?.Message;
                }
            }

            status["last"] = _last?.DeepClone();
            return status;
        }
    }

    /// <summary>Starts capturing on <paramref name="interfaceName"/>.</summary>
    /// <exception cref="CaptureRefusedException">libpcap is missing, the interface is unknown or not permitted, the filter is invalid.</exception>
    /// <exception cref="InvalidOperationException">A capture runs already.</exception>
    public JsonObject Start(string interfaceName, string? filter, string startedBy)
    {
        lock (_gate)
        {
            if (_running is { Task.IsCompleted: false })
            {
                throw new InvalidOperationException($"a capture runs already on {_running.Interface}; stop it first");
            }

            _running?.Dispose();
            _running = null;
            if (!PcapFilterCompiler.IsAvailable(out var missing))
            {
                throw new CaptureRefusedException("interface", missing);
            }

            if (filter is not null && !PcapFilterCompiler.Validate(filter, out var filterError))
            {
                throw new CaptureRefusedException("filter", filterError);
            }

            LivePcapSource source;
            try
            {
                source = LivePcapSource.Open(new LiveCaptureOptions { Interface = interfaceName, Filter = filter });
            }
            catch (ArgumentException e)
            {
                throw new CaptureRefusedException("interface", e.Message);
            }
            catch (SharpPcap.PcapException e)
            {
                throw new CaptureRefusedException("interface", $"{e.Message} (live capture needs root or CAP_NET_RAW and CAP_NET_ADMIN)");
            }

            var stop = new CancellationTokenSource();
            source.Start();
            var task = Task.Factory.StartNew(
                () => new LiveRecorder(_store).Run(source.Interface, source.Frames, source.Stop, new LiveRecordingOptions { Filter = filter }, stop.Token),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            _running = new Running(source, task, stop, interfaceName, filter, Timestamp.Now(_clock).ToString(), startedBy);
            return Status();
        }
    }

    /// <summary>Stops the capture and seals what it recorded; null when none ran.</summary>
    public JsonObject? Stop()
    {
        Running? running;
        lock (_gate)
        {
            running = _running;
            _running = null;
        }

        if (running is null)
        {
            return null;
        }

        running.Stop.Cancel();
        JsonObject result;
        try
        {
            var recorded = running.Task.GetAwaiter().GetResult();
            result = new JsonObject
            {
                ["captureId"] = recorded.CaptureId,
                ["interface"] = running.Interface,
                ["filter"] = running.Filter,
                ["packets"] = recorded.Packets,
                ["packetBytes"] = recorded.PacketBytes,
                ["statistics"] = recorded.StatisticsJson(),
                ["stopReason"] = recorded.StopReason,
                ["segments"] = new JsonArray(recorded.Segments.Select(s => (JsonNode)s.Id).ToArray()),
                ["startedAt"] = running.StartedAt,
                ["stoppedAt"] = Timestamp.Now(_clock).ToString(),
            };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            result = new JsonObject { ["interface"] = running.Interface, ["error"] = $"{e.GetType().Name}: {e.Message}" };
        }
        finally
        {
            running.Dispose();
        }

        lock (_gate)
        {
            _last = result;
        }

        return result;
    }

    /// <summary>Stops a running capture (sealing it).</summary>
    public void Dispose() => Stop();

    private sealed record Running(LivePcapSource Source, Task<LiveRecordingResult> Task, CancellationTokenSource Stop, string Interface, string? Filter,
        string StartedAt, string StartedBy) : IDisposable
    {
        public void Dispose()
        {
            Source.Dispose();
            Stop.Dispose();
        }
    }
}
