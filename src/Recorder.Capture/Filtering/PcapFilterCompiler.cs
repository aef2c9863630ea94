using System.Runtime.InteropServices;
using Recorder.Core.Store;
using Recorder.Core.Text;

namespace Recorder.Capture.Filtering;

/// <summary>
/// Compiles libpcap filter expressions (the language of tcpdump) with libpcap itself, and runs them
/// on stored packets with their real captured and original lengths, so <c>len</c>, <c>greater</c>
/// and <c>less</c> behave as in tcpdump.
/// </summary>
public sealed class PcapFilterCompiler : IPacketFilterCompiler
{
    /// <summary>The snapshot length filters are compiled for: Recorder's largest record.</summary>
    private const int SnapLength = 262_144;

    /// <summary>True when libpcap can be loaded; otherwise says how to get it.</summary>
    public static bool IsAvailable(out string error)
    {
        try
        {
            error = string.Empty;
            return Marshal.PtrToStringUTF8(LibPcapNative.LibraryVersion()) is not null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
        {
            error = "libpcap is not installed (Debian: apt-get install libpcap0.8); BPF filters need it";
            return false;
        }
    }

    /// <summary>Checks an expression by compiling it for Ethernet; false with libpcap's message when invalid.</summary>
    public static bool Validate(string expression, out string error)
    {
        using var filter = new PcapFilterCompiler().TryCompile(expression, 1, out error);
        return filter is not null;
    }

    /// <inheritdoc />
    public IPacketFilter? TryCompile(string expression, int linkType, out string error)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (UserText.Problem(expression, allowLineBreaks: true) is { } unsafeText)
        {
            // pcap_compile takes a C string: it would compile the expression only up to a NUL, while
            // the ledger records all of it. Refused here, where every filter reaches libpcap.
            error = unsafeText + ": the expression must be what libpcap runs";
            return null;
        }

        if (!IsAvailable(out error))
        {
            return null;
        }

        // Compiled as tcpdump compiles for a file of this link type (see EmptySavefile): a dead
        // handle would take the stored LINKTYPE_ for a DLT_ and compile some expressions for live
        // capture.
        using var savefile = EmptySavefile.TryOpen(linkType, SnapLength, out error);
        if (savefile is null)
        {
            return null;
        }

        var program = default(LibPcapNative.BpfProgram);
        if (LibPcapNative.Compile(savefile.Handle, ref program, expression, 1, 0xFFFFFFFF) != 0)
        {
            error = Marshal.PtrToStringUTF8(LibPcapNative.GetError(savefile.Handle)) ?? "invalid filter expression";
            return null;
        }

        error = string.Empty;
        return new CompiledFilter(program);
    }

    private sealed class CompiledFilter : IPacketFilter
    {
        // struct pcap_pkthdr on 64-bit Unix: struct timeval (16 bytes), caplen, len.
        private const int HeaderSize = 24;
        private readonly byte[] _header = new byte[HeaderSize];
        private LibPcapNative.BpfProgram _program;
        private bool _disposed;

        public CompiledFilter(LibPcapNative.BpfProgram program) => _program = program;

        public unsafe bool Matches(ReadOnlySpan<byte> data, uint originalLength)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(16), data.Length);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(20), originalLength);
            fixed (byte* header = _header)
            fixed (byte* packet = data)
            {
                return LibPcapNative.OfflineFilter(ref _program, header, packet) != 0;
            }
        }

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                LibPcapNative.FreeCode(ref _program);
            }
        }
    }
}
