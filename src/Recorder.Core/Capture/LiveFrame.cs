using System.Buffers;

namespace Recorder.Core.Capture;

/// <summary>
/// One packet copied out of a capture callback: the bytes live in a pooled buffer that the consumer
/// returns with <see cref="Release"/> once the packet is written.
/// </summary>
public sealed class LiveFrame
{
    private LiveFrame(byte[] buffer, int length, uint originalLength, long nanoseconds)
    {
        Buffer = buffer;
        Length = length;
        OriginalLength = originalLength;
        Nanoseconds = nanoseconds;
    }

    /// <summary>The pooled buffer (only the first <see cref="Length"/> bytes are the packet).</summary>
    public byte[] Buffer { get; }

    /// <summary>Captured length.</summary>
    public int Length { get; }

    /// <summary>Length on the wire.</summary>
    public uint OriginalLength { get; }

    /// <summary>Capture time, nanoseconds since the epoch.</summary>
    public long Nanoseconds { get; }

    /// <summary>The captured bytes.</summary>
    public ReadOnlySpan<byte> Data => Buffer.AsSpan(0, Length);

    /// <summary>Copies <paramref name="data"/> into a pooled buffer.</summary>
    public static LiveFrame Copy(ReadOnlySpan<byte> data, uint originalLength, long nanoseconds)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, data.Length));
        data.CopyTo(buffer);
        return new LiveFrame(buffer, data.Length, originalLength, nanoseconds);
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Release() => ArrayPool<byte>.Shared.Return(Buffer);
}

/// <summary>Drop and receive counters of a live capture, as the kernel, the interface and Recorder saw them.</summary>
/// <param name="Received">Packets the capture mechanism received (libpcap <c>ps_recv</c>).</param>
/// <param name="KernelDropped">Dropped by the kernel for lack of buffer space (<c>ps_drop</c>).</param>
/// <param name="InterfaceDropped">Dropped by the interface or its driver (<c>ps_ifdrop</c>).</param>
/// <param name="RecorderDropped">Dropped by Recorder because its queue to disk was full.</param>
public sealed record LiveStatistics(long Received, long KernelDropped, long InterfaceDropped, long RecorderDropped);
