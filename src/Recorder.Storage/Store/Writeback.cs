using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Recorder.Storage.Store;

/// <summary>
/// Starts writing a file range to disk without waiting (Linux <c>sync_file_range</c> with
/// <c>SYNC_FILE_RANGE_WRITE</c>), so that the <c>fsync</c> that makes a segment durable at its seal
/// finds little left to do: the disk works while Recorder parses and hashes. Elsewhere it does nothing;
/// durability never depends on it, only the final flush's wait does.
/// </summary>
internal static partial class Writeback
{
    private const uint SyncFileRangeWrite = 2;
    // Large batches keep the disk streaming; small ones (4 MiB) measured twice as slow on this kind of VM.
    private const long Batch = 256L << 20;
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>Called after each write ending at <paramref name="end"/>: every <c>Batch</c> bytes, starts writeback of the last batch.</summary>
    public static void After(SafeFileHandle handle, long end, ref long started)
    {
        if (end - started < Batch)
        {
            return;
        }

        Start(handle, started, end - started);
        started = end;
    }

    public static void Start(SafeFileHandle handle, long offset, long count)
    {
        if (_unavailable || handle.IsInvalid)
        {
            return;
        }

        try
        {
            _ = SyncFileRange((int)handle.DangerousGetHandle(), offset, count, SyncFileRangeWrite);
        }
        catch (EntryPointNotFoundException)
        {
            _unavailable = true;
        }
        catch (DllNotFoundException)
        {
            _unavailable = true;
        }
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(int fd, long offset, long count, uint flags);
}
