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
    private static bool _unavailable = !OperatingSystem.IsLinux();

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
