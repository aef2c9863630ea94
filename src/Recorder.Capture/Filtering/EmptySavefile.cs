using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Recorder.Capture.Filtering;

/// <summary>
/// Opens, for compiling a filter, a libpcap handle on a capture file of one stored link type that
/// holds no packets: the handle tcpdump compiles with when it reads a file of that link type.
/// </summary>
/// <remarks>
/// Two things make this necessary rather than <c>pcap_open_dead(linkType, …)</c>:
/// <list type="bullet">
/// <item>Stored packets carry the file's LINKTYPE_ value; libpcap compiles for a DLT_ value. They
/// differ where BSD-derived systems disagreed on DLT_ numbers: LINKTYPE_RAW 101 is DLT_RAW 12 on
/// Linux (14 on OpenBSD), ATM_RFC1483 100 is 11, SLIP_BSDOS 102 is 15, PPP_BSDOS 103 is 16,
/// ATM_CLIP 106 is 19, per platform (libpcap's <c>pcap-common.c</c>, <c>linktype_to_dlt</c>).
/// <c>pcap_open_dead(101)</c> refuses every expression ("unknown data link type 101"). Letting
/// libpcap's savefile reader map the value uses its own table, right on every platform, instead of
/// a port that could go stale.</item>
/// <item>libpcap compiles some expressions differently for a savefile than for a live or dead
/// handle: on DLT_NULL and DLT_LOOP, <c>ip6</c> checks all three BSD AF_INET6 values (24, 28, 30)
/// when reading a file, but only the host's AF_INET6 otherwise (<c>gencode.c</c>,
/// <c>gen_linktype</c>), so a dead handle on Linux misses IPv6 captured on BSD or macOS.</item>
/// </list>
/// The file is a 24-byte classic pcap header (little-endian, as Recorder writes its own pcap output)
/// opened in memory with POSIX <c>fmemopen</c>; nothing touches the disk.
/// </remarks>
internal sealed unsafe class EmptySavefile : IDisposable
{
    // Classic pcap global header: magic, version 2.4, thiszone, sigfigs, snaplen, LINKTYPE_.
    private const int HeaderSize = 24;
    private const uint PcapMagic = 0xA1B2C3D4;

    // The FILE reads from this buffer for as long as the handle is open, so it is native memory
    // owned by this object and freed only after pcap_close.
    private readonly byte* _header;
    private bool _disposed;

    private EmptySavefile(byte* header, IntPtr handle)
    {
        _header = header;
        Handle = handle;
    }

    /// <summary>The <c>pcap_t *</c> to compile with.</summary>
    public IntPtr Handle { get; }

    /// <summary>
    /// A handle on an empty file of <paramref name="linkType"/>; null with the reason when libpcap
    /// (or the C library) will not open one.
    /// </summary>
    public static EmptySavefile? TryOpen(int linkType, int snapLength, out string error)
    {
        var header = (byte*)NativeMemory.Alloc(HeaderSize);
        var span = new Span<byte>(header, HeaderSize);
        span.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(span, PcapMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], snapLength);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], linkType);
        var handle = OpenHeader(header, linkType, out error);
        if (handle == IntPtr.Zero)
        {
            NativeMemory.Free(header);
            return null;
        }

        return new EmptySavefile(header, handle);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            LibPcapNative.Close(Handle);
            NativeMemory.Free(_header);
        }
    }

    private static IntPtr OpenHeader(byte* header, int linkType, out string error)
    {
        IntPtr file;
        try
        {
            file = LibPcapNative.MemoryOpen(header, HeaderSize, "rb");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            error = $"this platform's C library has no fmemopen, needed to compile a filter for link type {linkType}: {e.Message}";
            return IntPtr.Zero;
        }

        if (file == IntPtr.Zero)
        {
            error = $"fmemopen failed (errno {Marshal.GetLastPInvokeError()}) compiling a filter for link type {linkType}";
            return IntPtr.Zero;
        }

        // On success the handle owns the FILE (pcap_close closes it); on failure it is still ours
        // (savefile.c closes only the files it opened itself).
        Span<byte> errorBuffer = stackalloc byte[LibPcapNative.ErrorBufferSize];
        fixed (byte* errorBytes = errorBuffer)
        {
            var pcap = LibPcapNative.FileOpenOffline(file, errorBytes);
            if (pcap == IntPtr.Zero)
            {
                LibPcapNative.CloseFile(file);
                error = $"libpcap does not know link type {linkType}: {Marshal.PtrToStringUTF8((IntPtr)errorBytes)}";
                return IntPtr.Zero;
            }

            error = string.Empty;
            return pcap;
        }
    }
}
