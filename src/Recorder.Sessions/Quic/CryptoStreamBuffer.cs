namespace Recorder.Sessions.Quic;

/// <summary>
/// Puts the CRYPTO frames of one direction's Initial packets back in order (RFC 9000 §19.6): frames
/// may come in any order, overlap or repeat. Holds at most <see cref="Limit"/> bytes of stream and
/// <see cref="MaxRanges"/> separate pieces; beyond that it stops and says so.
/// </summary>
internal sealed class CryptoStreamBuffer
{
    /// <summary>Largest CRYPTO offset kept (a ClientHello, even with post-quantum key shares, is a few KiB).</summary>
    public const int Limit = 64 * 1024;

    /// <summary>Most separate received pieces tracked at once.</summary>
    public const int MaxRanges = 64;

    private readonly List<(int Start, int End)> _ranges = [];
    private byte[] _buffer = [];

    /// <summary>Bytes already handed on in order.</summary>
    public int Delivered { get; private set; }

    /// <summary>Set when a frame lay beyond <see cref="Limit"/> or the pieces were too many.</summary>
    public bool LimitHit { get; private set; }

    /// <summary>Stores one frame's data; returns the bytes that became contiguous with what was delivered.</summary>
    public ReadOnlySpan<byte> Insert(ulong offset, ReadOnlySpan<byte> data)
    {
        if (LimitHit || data.IsEmpty)
        {
            return [];
        }

        if (offset > Limit || (ulong)data.Length > Limit - offset)
        {
            LimitHit = true;
            return [];
        }

        var start = (int)offset;
        var end = start + data.Length;
        if (end <= Delivered)
        {
            return [];
        }

        if (_buffer.Length < end)
        {
            Array.Resize(ref _buffer, Math.Min(Limit, Math.Max(end, 2 * _buffer.Length)));
        }

        data.CopyTo(_buffer.AsSpan(start));
        Add(start, end);
        if (_ranges.Count > MaxRanges)
        {
            LimitHit = true;
            return [];
        }

        var (firstStart, firstEnd) = _ranges[0];
        if (firstStart != 0 || firstEnd <= Delivered)
        {
            return [];
        }

        var fresh = _buffer.AsSpan(Delivered, firstEnd - Delivered);
        Delivered = firstEnd;
        return fresh;
    }

    private void Add(int start, int end)
    {
        var i = 0;
        while (i < _ranges.Count && _ranges[i].End < start)
        {
            i++;
        }

        while (i < _ranges.Count && _ranges[i].Start <= end)
        {
            start = Math.Min(start, _ranges[i].Start);
            end = Math.Max(end, _ranges[i].End);
            _ranges.RemoveAt(i);
        }

        _ranges.Insert(i, (start, end));
    }
}
