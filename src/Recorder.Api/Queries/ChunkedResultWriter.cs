using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Recorder.Core.Formats;
using Recorder.Core.Hashing;
using Recorder.Core.Time;
using Recorder.Storage.Query;
using Recorder.Storage.Store;

namespace Recorder.Api.Queries;

/// <summary>When a chunk is cut: whichever limit is reached first.</summary>
public sealed record ChunkOptions
{
    /// <summary>A chunk is written once it holds this many packets.</summary>
    public int MaxPackets { get; init; } = 10_000;

    /// <summary>A chunk is written once it holds this many bytes.</summary>
    public long MaxBytes { get; init; } = 4L * 1024 * 1024;

    /// <summary>A chunk is written once its first packet has waited this long.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid limit.</summary>
    public void Validate()
    {
        if (MaxPackets < 1)
        {
            throw new ArgumentException($"chunk packets must be at least 1, not {MaxPackets}");
        }

        if (MaxBytes < 1024 || MaxBytes > 1L << 30)
        {
            throw new ArgumentException($"chunk bytes must be 1 KiB to 1 GiB, not {MaxBytes}");
        }

        if (MaxDelay < TimeSpan.FromMilliseconds(10) || MaxDelay > TimeSpan.FromHours(1))
        {
            throw new ArgumentException($"chunk delay must be 10 ms to 1 hour, not {MaxDelay.TotalMilliseconds} ms");
        }
    }
}

/// <summary>The finished result file.</summary>
/// <param name="Packets">Packets in it.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">SHA-256 of its bytes.</param>
internal sealed record ResultSummary(long Packets, long Bytes, string Sha256);

/// <summary>
/// Writes a query's matches twice: into the one result file (the bytes <c>GET …/pcap</c> streams,
/// flushed to the operating system often so followers see them at once), and into chunks, each a
/// standalone capture file of the same format, cut at a packet count, a size or an age. Each chunk
/// is written under a temporary name, flushed to disk and renamed into <c>chunks/</c>, then handed
/// to <c>onChunk</c> (which ledgers it). The format is fixed up front, so the result is never
/// rewritten and a follower's bytes equal the final file. Cancellation is checked before every
/// packet, so a cancelled query's partial result ends on a packet boundary. A pcapng result also
/// takes Decryption Secrets Blocks (<see cref="TryWriteDecryptionSecrets"/>), written into the
/// result and into the chunk that will hold the packets after them.
/// </summary>
internal sealed class ChunkedResultWriter : IDecryptionSecretsSink, IDisposable
{
    private readonly Lock _gate = new();
    private readonly string _chunksDirectory;
    private readonly CaptureFileFormat _format;
    private readonly string _application;
    private readonly string _comment;
    private readonly ChunkOptions _options;
    private readonly Func<ChunkInfo, ChunkInfo> _onChunk;
    private readonly Action _onProgress;
    private readonly FileStream _file;
    private readonly HashingStream _hashing;
    private readonly BufferedStream _buffered;
    private readonly CaptureWriter _result;
    private readonly MemoryStream _chunkBuffer = new();
    private readonly Timer _timer;
    private readonly long? _bytesPerSecond;
    private readonly CancellationToken _cancellation;
    private readonly long _started = Stopwatch.GetTimestamp();
    private CaptureWriter? _chunk;
    private long _chunkStarted;
    private long _chunkFirst;
    private long _chunkLast;
    private long _chunkResultOffset;
    private int _chunkNumber;
    private bool _dirty;
    private bool _closed;
    private Exception? _failure;

    public ChunkedResultWriter(string resultPath, string chunksDirectory, CaptureFileFormat format, int linkType, string application, string comment,
        ChunkOptions options, long? bytesPerSecond, Func<ChunkInfo, ChunkInfo> onChunk, Action onProgress, CancellationToken cancellationToken)
    {
        _cancellation = cancellationToken;
        _bytesPerSecond = bytesPerSecond;
        _chunksDirectory = chunksDirectory;
        _format = format;
        _application = application;
        _comment = comment;
        _options = options;
        _onChunk = onChunk;
        _onProgress = onProgress;
        Directory.CreateDirectory(chunksDirectory);
        _file = new FileStream(resultPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 1);
        _hashing = new HashingStream(_file, ownsInner: true);
        _buffered = new BufferedStream(_hashing, 256 * 1024);
        _result = new CaptureWriter(_buffered, format, application, comment: comment);
        _result.WriteHeader(format == CaptureFileFormat.Pcap ? linkType : -1);
        _buffered.Flush();
        var tick = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(10).Ticks, options.MaxDelay.Ticks / 4));
        _timer = new Timer(_ => Tick(), null, tick, tick);
    }

    /// <summary>Packets written (read without the writer's lock: a 64-bit counter that only grows).</summary>
    public long Packets => _result.Packets;

    /// <summary>Result bytes written, headers included, buffered or not (read without the writer's lock).</summary>
    public long Bytes => _result.Bytes;

    /// <summary>The timestamp of the latest packet written (ns), or null before the first.</summary>
    public long? LatestNanoseconds { get; private set; }

    /// <summary>Chunks written.</summary>
    public int Chunks => _chunkNumber;

    /// <inheritdoc />
    public void Write(long segmentId, int linkType, long timestampNanoseconds, uint originalLength, ReadOnlySpan<byte> data)
    {
        // Checked per packet (a volatile read): a cancelled query stops at once, between two packets.
        _cancellation.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            ThrowIfTimerFailed();
            var chunk = OpenChunk();
            _result.Write(linkType, timestampNanoseconds, originalLength, data);
            chunk.Write(linkType, timestampNanoseconds, originalLength, data);
            _chunkFirst = Math.Min(_chunkFirst, timestampNanoseconds);
            _chunkLast = Math.Max(_chunkLast, timestampNanoseconds);
            LatestNanoseconds = timestampNanoseconds;
            _dirty = true;
            if (chunk.Packets >= _options.MaxPackets || _chunkBuffer.Length >= _options.MaxBytes)
            {
                EmitChunk();
            }
        }

        if (_bytesPerSecond is { } rate)
        {
            // Paced outside the lock, so the timer still cuts chunks while the query waits.
            var due = TimeSpan.FromSeconds((double)_result.Bytes / rate) - Stopwatch.GetElapsedTime(_started);
            if (due > TimeSpan.FromMilliseconds(1))
            {
                _cancellation.WaitHandle.WaitOne(due);
            }
        }
    }

    /// <summary>
    /// Writes a Decryption Secrets Block into the result, in front of the packets still to come, and
    /// into the chunk those packets go to, so that the chunk holding a connection's ClientHello also
    /// holds its secrets when read alone. False, and nothing written, when the result is classic pcap.
    /// </summary>
    public bool TryWriteDecryptionSecrets(uint secretsType, ReadOnlySpan<byte> secrets)
    {
        if (_format != CaptureFileFormat.Pcapng)
        {
            return false;
        }

        _cancellation.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            ThrowIfTimerFailed();
            var chunk = OpenChunk();
            _result.WriteDecryptionSecrets(secretsType, secrets);
            chunk.WriteDecryptionSecrets(secretsType, secrets);
            _dirty = true;
        }

        return true;
    }

    /// <summary>Writes the last chunk, flushes the result to disk and returns its size and hash. The writer takes nothing more.</summary>
    public ResultSummary Complete()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            ThrowIfTimerFailed();
            EmitChunk();
            _closed = true;
            _buffered.Flush();
            _file.Flush(flushToDisk: true);
            var summary = new ResultSummary(_result.Packets, _hashing.BytesWritten, Hex.Lower(_hashing.GetHash()));
            _buffered.Dispose();
            DurableFile.SyncDirectory(_chunksDirectory);
            DurableFile.SyncDirectory(Path.GetDirectoryName(_file.Name)!);
            return summary;
        }
    }

    /// <summary>Stops the timer and closes the file (a completed writer is already closed).</summary>
    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            if (!_closed)
            {
                _closed = true;
                _buffered.Dispose();
            }
        }
    }

    private void Tick()
    {
        try
        {
            var progressed = false;
            lock (_gate)
            {
                if (_closed || _failure is not null)
                {
                    return;
                }

                if (_chunk is not null && Stopwatch.GetElapsedTime(_chunkStarted) >= _options.MaxDelay)
                {
                    EmitChunk();
                }
                else if (_dirty)
                {
                    _buffered.Flush();
                    _dirty = false;
                    progressed = true;
                }
            }

            if (progressed)
            {
                _onProgress();
            }
        }
        catch (Exception e)
        {
            // A timer thread has no one to throw to: the query's thread rethrows it at its next packet.
            lock (_gate)
            {
                _failure ??= e;
            }
        }
    }

    private void ThrowIfTimerFailed()
    {
        if (_failure is { } failure)
        {
            throw new IOException($"writing the result or a chunk failed: {failure.Message}", failure);
        }
    }

    /// <summary>
    /// The open chunk, or the next one opened. Its time span starts empty and grows with each packet
    /// (a chunk may start with a Decryption Secrets Block, which has no time); a chunk is only ever
    /// emitted with packets in it.
    /// </summary>
    private CaptureWriter OpenChunk()
    {
        if (_chunk is not null)
        {
            return _chunk;
        }

        _chunkBuffer.SetLength(0);
        _chunk = new CaptureWriter(_chunkBuffer, _format, _application, comment: _comment);
        _chunkStarted = Stopwatch.GetTimestamp();
        _chunkFirst = long.MaxValue;
        _chunkLast = long.MinValue;
        _chunkResultOffset = _result.Bytes;
        return _chunk;
    }

    private void EmitChunk()
    {
        if (_chunk is null || _chunk.Packets == 0)
        {
            return;
        }

        // The result's bytes are handed to the OS first: a chunk is never announced before the same packets can be streamed.
        _buffered.Flush();
        _dirty = false;
        var number = ++_chunkNumber;
        var name = number.ToString("D6", CultureInfo.InvariantCulture) + (_format == CaptureFileFormat.Pcap ? ".pcap" : ".pcapng");
        var path = Path.Combine(_chunksDirectory, name);
        var temporary = path + ".partial";
        var bytes = _chunkBuffer.GetBuffer().AsSpan(0, (int)_chunkBuffer.Length);
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        var info = new ChunkInfo
        {
            Number = number,
            File = name,
            Packets = _chunk.Packets,
            Bytes = bytes.Length,
            Sha256 = Hex.Lower(SHA256.HashData(bytes)),
            FirstTimestamp = new Timestamp(_chunkFirst).ToString(),
            LastTimestamp = new Timestamp(_chunkLast).ToString(),
            ResultOffset = _chunkResultOffset,
        };
        _chunk = null;
        _onChunk(info);
    }
}
