using System.Reflection;
using System.Runtime.InteropServices;

namespace Recorder.Capture.Filtering;

/// <summary>
/// The few libpcap functions needed to run filter expressions on stored packets (pcap_open_dead,
/// pcap_compile, pcap_offline_filter). Debian ships libpcap as <c>libpcap.so.0.8</c>; the resolver
/// tries the usual names.
/// </summary>
internal static partial class LibPcapNative
{
    private const string Library = "pcap";

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

    [LibraryImport(Library, EntryPoint = "pcap_open_dead")]
    public static partial IntPtr OpenDead(int linkType, int snapLength);

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

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library)
        {
            return IntPtr.Zero;
        }

        foreach (var candidate in new[] { "libpcap.so.1", "libpcap.so.0.8", "libpcap.so", "libpcap.dylib", "wpcap" })
        {
            if (NativeLibrary.TryLoad(candidate, assembly, path, out var handle))
            {
                return handle;
            }
        }

        return IntPtr.Zero;
    }
}
