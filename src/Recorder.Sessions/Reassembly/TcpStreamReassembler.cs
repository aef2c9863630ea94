using System.Buffers;

namespace Recorder.Sessions.Reassembly;

/// <summary>Where a <see cref="TcpStreamReassembler"/> delivers one direction's contiguous bytes and gaps.</summary>
internal interface IReassemblySink
{
    void OnStreamData(bool fromClient, ReadOnlySpan<byte> data, long timestampNanoseconds);

    void OnStreamGap(bool fromClient, long missingBytes);
}

/// <summary>
/// One direction of a TCP connection, reassembled by sequence number (32-bit, modulo 2^32, RFC 9293
/// §3.4). Policy (docs/sessions.md "Reassembly"): in-order data is delivered at once; data seen
/// before is a retransmission when equal and an overlap conflict when not, and the bytes seen first
/// are kept; out-of-order data waits up to a byte limit, then the oldest hole is delivered as a gap;
/// at the end every remaining hole (and data acknowledged or closed by FIN but never seen) is a gap.
/// </summary>
internal sealed class TcpStreamReassembler
{
    // A segment further than this from the next expected byte is not of this stream (or wrapped
    // garbage): counted, never buffered or delivered.
    private const int MaxWindow = 1 << 30;

    private readonly bool fromClient;
    private readonly IReassemblySink sink;
    private readonly int maxBuffered;
    private readonly List<Pending> pending = [];
    private byte[]? history;
    private int historyLength;
    private int historyWrite;
    private int buffered;
    private bool started;
    private bool released;
    private uint next;
    private bool finSeen;
    private uint finSeq;
    private bool peerAckSeen;
    private uint peerAck;

    public TcpStreamReassembler(bool fromClient, IReassemblySink sink, int maxBuffered, int historyBytes)
    {
        this.fromClient = fromClient;
        this.sink = sink;
        this.maxBuffered = maxBuffered;
        HistoryCapacity = historyBytes;
    }

    private int HistoryCapacity { get; }

    /// <summary>Data came before any SYN of this direction.</summary>
    public bool StartedMidStream { get; private set; }

    public long Retransmissions { get; private set; }

    public long OverlapConflicts { get; private set; }

    public long MissingBytes { get; private set; }

    public long OutOfWindow { get; private set; }

    /// <summary>Feeds one segment of this direction.</summary>
    public void OnSegment(uint sequence, ReadOnlySpan<byte> data, bool syn, bool fin, long timestamp)
    {
        unchecked
        {
            if (syn)
            {
                if (!started)
                {
                    started = true;
                    next = sequence + 1;
                }

                sequence++;
            }

            if (!started)
            {
                if (data.IsEmpty && !fin)
                {
                    return;
                }

                started = true;
                StartedMidStream = true;
                next = sequence;
            }

            if (fin && !finSeen)
            {
                finSeen = true;
                finSeq = sequence + (uint)data.Length;
            }

            if (!data.IsEmpty)
            {
                Insert(sequence, data, timestamp);
            }
        }
    }

    /// <summary>An acknowledgement number sent by the other side (bytes it claims to have received).</summary>
    public void OnPeerAck(uint acknowledgement)
    {
        if (!peerAckSeen || unchecked((int)(acknowledgement - peerAck)) > 0)
        {
            peerAckSeen = true;
            peerAck = acknowledgement;
        }
    }

    /// <summary>Delivers what is buffered, with gaps for every hole and for data known to exist but never seen.</summary>
    public void Close()
    {
        while (pending.Count > 0)
        {
            SkipToFirstPending();
        }

        if (started)
        {
            var end = finSeen ? finSeq : peerAck;
            var known = finSeen || peerAckSeen;
            var missing = unchecked((int)(end - next));
            if (known && missing > 0 && missing < MaxWindow)
            {
                Gap(missing);
            }
        }

        Release();
    }

    /// <summary>Returns pooled buffers without delivering anything more.</summary>
    public void Release()
    {
        foreach (var p in pending)
        {
            ArrayPool<byte>.Shared.Return(p.Data);
        }

        pending.Clear();
        buffered = 0;
        if (history is not null && !released)
        {
            ArrayPool<byte>.Shared.Return(history);
        }

        released = true;
    }

    private void Insert(uint sequence, ReadOnlySpan<byte> data, long timestamp)
    {
        var relative = unchecked((int)(sequence - next));
        if (relative <= -MaxWindow || relative >= MaxWindow)
        {
            OutOfWindow++;
            return;
        }

        if (relative < 0)
        {
            var overlap = (int)Math.Min(-(long)relative, data.Length);
            CompareWithHistory(relative, data[..overlap]);
            if (overlap == data.Length)
            {
                return;
            }

            data = data[overlap..];
            sequence = unchecked(sequence + (uint)overlap);
            relative = 0;
        }

        if (relative == 0 && pending.Count == 0)
        {
            Deliver(data, timestamp);
            return;
        }

        // Make room first: give up the oldest holes until the new bytes fit.
        while (buffered + data.Length > maxBuffered && pending.Count > 0)
        {
            SkipToFirstPending();
            relative = unchecked((int)(sequence - next));
            if (relative < 0)
            {
                var overlap = (int)Math.Min(-(long)relative, data.Length);
                CompareWithHistory(relative, data[..overlap]);
                if (overlap == data.Length)
                {
                    return;
                }

                data = data[overlap..];
                sequence = unchecked(sequence + (uint)overlap);
                relative = 0;
            }
        }

        if (buffered + data.Length > maxBuffered)
        {
            // Nothing buffered and still too large to wait: the hole before it is a gap now.
            if (relative > 0)
            {
                Gap(relative);
            }

            Deliver(data, timestamp);
            return;
        }

        AddPieces(unchecked(next + (uint)relative), data, timestamp);
        DrainPending();
    }

    // Adds the parts of [start, start+length) no pending segment covers; the covered parts are
    // compared with what is pending there (first seen wins).
    private void AddPieces(uint start, ReadOnlySpan<byte> data, long timestamp)
    {
        var cursor = 0;
        var begin = Relative(start);
        for (var i = 0; i < pending.Count && cursor < data.Length; i++)
        {
            var p = pending[i];
            var pStart = Relative(p.Sequence) - begin;
            var pEnd = pStart + p.Length;
            if (pEnd <= cursor)
            {
                continue;
            }

            if (pStart >= data.Length)
            {
                break;
            }

            if (pStart > cursor)
            {
                var piece = (int)(pStart - cursor);
                InsertPending(i, unchecked(start + (uint)cursor), data.Slice(cursor, piece), timestamp);
                i++;
                cursor += piece;
            }

            var overlapEnd = (int)Math.Min(pEnd, data.Length);
            var offsetInP = (int)(cursor - pStart);
            if (overlapEnd > cursor)
            {
                var ours = data[cursor..overlapEnd];
                if (ours.SequenceEqual(p.Data.AsSpan(offsetInP, ours.Length)))
                {
                    Retransmissions++;
                }
                else
                {
                    OverlapConflicts++;
                }

                cursor = overlapEnd;
            }
        }

        if (cursor < data.Length)
        {
            var at = 0;
            var tailStart = Relative(start) + cursor;
            while (at < pending.Count && Relative(pending[at].Sequence) < tailStart)
            {
                at++;
            }

            InsertPending(at, unchecked(start + (uint)cursor), data[cursor..], timestamp);
        }
    }

    private long Relative(uint sequence) => unchecked((int)(sequence - next));

    private void InsertPending(int index, uint sequence, ReadOnlySpan<byte> data, long timestamp)
    {
        var copy = ArrayPool<byte>.Shared.Rent(data.Length);
        data.CopyTo(copy);
        pending.Insert(index, new Pending(sequence, copy, data.Length, timestamp));
        buffered += data.Length;
    }

    private void DrainPending()
    {
        while (pending.Count > 0)
        {
            var p = pending[0];
            var relative = Relative(p.Sequence);
            if (relative > 0)
            {
                return;
            }

            pending.RemoveAt(0);
            buffered -= p.Length;
            var skip = (int)Math.Min(-relative, p.Length);
            if (skip < p.Length)
            {
                Deliver(p.Data.AsSpan(skip, p.Length - skip), p.Timestamp);
            }

            ArrayPool<byte>.Shared.Return(p.Data);
        }
    }

    private void SkipToFirstPending()
    {
        var relative = Relative(pending[0].Sequence);
        if (relative > 0)
        {
            Gap(relative);
        }

        DrainPending();
    }

    private void Gap(long missing)
    {
        next = unchecked(next + (uint)missing);
        MissingBytes += missing;
        historyLength = 0;
        sink.OnStreamGap(fromClient, missing);
    }

    private void Deliver(ReadOnlySpan<byte> data, long timestamp)
    {
        next = unchecked(next + (uint)data.Length);
        Remember(data);
        sink.OnStreamData(fromClient, data, timestamp);
    }

    private void Remember(ReadOnlySpan<byte> data)
    {
        if (HistoryCapacity == 0 || released)
        {
            return;
        }

        // Rented at the first delivered byte: a connection without payload costs no history.
        history ??= ArrayPool<byte>.Shared.Rent(HistoryCapacity);

        var capacity = HistoryCapacity;
        if (data.Length >= capacity)
        {
            data[^capacity..].CopyTo(history);
            historyWrite = 0;
            historyLength = capacity;
            return;
        }

        var first = Math.Min(data.Length, capacity - historyWrite);
        data[..first].CopyTo(history.AsSpan(historyWrite));
        data[first..].CopyTo(history);
        historyWrite = (historyWrite + data.Length) % capacity;
        historyLength = Math.Min(capacity, historyLength + data.Length);
    }

    // relative < 0: the segment starts -relative bytes before the next expected byte.
    private void CompareWithHistory(int relative, ReadOnlySpan<byte> old)
    {
        var back = -(long)relative;
        if (history is null || back > historyLength)
        {
            // Older than what is kept: counted as a retransmission, content not compared.
            Retransmissions++;
            return;
        }

        var capacity = HistoryCapacity;
        var position = (int)(((historyWrite - back) % capacity + capacity) % capacity);
        for (var i = 0; i < old.Length; i++)
        {
            if (history[(position + i) % capacity] != old[i])
            {
                OverlapConflicts++;
                return;
            }
        }

        Retransmissions++;
    }

    private readonly record struct Pending(uint Sequence, byte[] Data, int Length, long Timestamp);
}
