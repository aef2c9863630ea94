using System.Reflection;
using System.Runtime.InteropServices;

namespace Recorder.Capture.Filtering;

/// <summary>
/// The few libpcap functions needed to run filter expressions on stored packets (pcap_fopen_offline
/// on an in-memory file header, pcap_compile, pcap_offline_filter), and libc's fmemopen for that
/// header. Debian ships libpcap as <c>libpcap.so.0.8</c>; the resolver tries the usual names.
/// </summary>
internal static partial class LibPcapNative
{
    private const string Library = "pcap";
    private const string LibC = "c";

    /// <summary>libpcap's PCAP_ERRBUF_SIZE.</summary>
    public const int ErrorBufferSize = 256;

    static LibPcapNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(LibPcapNative).Assembly, Resolve);
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct BpfProgram
    {
        public uint Length;
        public IntPtr Instructions;
    }

    [LibraryImport(Library, EntryPoint = "pcap_close")]
    public static partial void Close(IntPtr pcap);

    [LibraryImport(Library, EntryPoint = "pcap_compile", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Compile(IntPtr pcap, ref BpfProgram program, string expression, int optimize, uint netmask);

    [LibraryImport(Library, EntryPoint = "pcap_geterr")]
    public static partial IntPtr GetError(IntPtr pcap);

    [LibraryImport(Library, EntryPoint = "pcap_freecode")]
    public static partial void FreeCode(ref BpfProgram program);

    [LibraryImport(Library, EntryPoint = "pcap_offline_filter")]
    public static unsafe partial int OfflineFilter(ref BpfProgram program, byte* header, byte* packet);

    [LibraryImport(Library, EntryPoint = "pcap_breakloop")]
    public static partial void BreakLoop(IntPtr pcap);

    [LibraryImport(Library, EntryPoint = "pcap_lib_version")]
    public static partial IntPtr LibraryVersion();

    /// <summary><c>pcap_t *pcap_fopen_offline(FILE *fp, char *errbuf)</c>; <c>pcap_close</c> closes <paramref name="file"/>.</summary>
    [LibraryImport(Library, EntryPoint = "pcap_fopen_offline")]
    public static unsafe partial IntPtr FileOpenOffline(IntPtr file, byte* errorBuffer);

    /// <summary>The DLT_ value of an open handle (for a savefile: libpcap's mapping of the file's LINKTYPE_).</summary>
    [LibraryImport(Library, EntryPoint = "pcap_datalink")]
    public static partial int DataLink(IntPtr pcap);

    /// <summary>libc's <c>FILE *fmemopen(void *buf, size_t size, const char *mode)</c> (POSIX.1-2008).</summary>
    [LibraryImport(LibC, EntryPoint = "fmemopen", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static unsafe partial IntPtr MemoryOpen(byte* buffer, nuint size, string mode);

    /// <summary>libc's <c>fclose</c>, for a FILE libpcap refused (pcap_fopen_offline leaves it open on failure).</summary>
    [LibraryImport(LibC, EntryPoint = "fclose")]
    public static partial int CloseFile(IntPtr file);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        string[] candidates = name switch
        {
            Library => ["libpcap.so.1", "libpcap.so.0.8", "libpcap.so", "libpcap.dylib", "wpcap"],
            LibC => ["libc.so.6", "libc.so", "libSystem.dylib"],
            _ => [],
        };
        foreach (var candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, assembly, path, out var handle))
            {
                return handle;
            }
        }

        return IntPtr.Zero;
    }
}
