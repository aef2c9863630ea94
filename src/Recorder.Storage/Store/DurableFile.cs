using System.Runtime.InteropServices;

namespace Recorder.Storage.Store;

/// <summary>
/// Writes that survive a crash or power loss: a new file is written under a temporary name,
/// flushed to disk, renamed over its final name, and the directory is flushed so the rename
/// itself is durable. Readers see either the old file or the whole new one.
/// </summary>
public static class DurableFile
{
    /// <summary>
    /// Atomically replaces (or creates) <paramref name="path"/> with <paramref name="contents"/>. On
    /// failure (a full disk) the temporary file is removed: nothing half-written stays behind.
    /// </summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> contents, UnixFileMode? mode = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var temporary = path + TemporaryMarker + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (mode is not null && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }

        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>
    /// True for the name of a temporary file <see cref="WriteAllBytes"/> makes
    /// (<c>NAME.tmp-PID-GUID</c>): one that still exists was left by a crash or a failed write.
    /// </summary>
    public static bool IsTemporary(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var marker = fileName.LastIndexOf(TemporaryMarker, StringComparison.Ordinal);
        if (marker <= 0)
        {
            return false;
        }

        var parts = fileName[(marker + TemporaryMarker.Length)..].Split('-');
        return parts.Length == 2 && parts[0].Length > 0 && parts[0].All(char.IsAsciiDigit)
            && parts[1].Length == 32 && parts[1].All(char.IsAsciiHexDigit);
    }

    /// <summary>Atomically writes text as UTF-8.</summary>
    public static void WriteAllText(string path, string contents, UnixFileMode? mode = null) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(contents), mode);

    /// <summary>Moves a file (already flushed) into place durably; fails if the target exists.</summary>
    public static void MoveNoReplace(string source, string destination)
    {
        File.Move(source, destination, overwrite: false);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        var sourceDirectory = Path.GetDirectoryName(Path.GetFullPath(source))!;
        if (sourceDirectory != Path.GetDirectoryName(Path.GetFullPath(destination)))
        {
            SyncDirectory(sourceDirectory);
        }
    }

    /// <summary>Flushes a directory's entries (names, renames) to disk.</summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = NativeMethods.Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"{directory}: cannot open directory to flush it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (NativeMethods.Fsync(fd) != 0)
            {
                throw new IOException($"{directory}: fsync failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = NativeMethods.Close(fd);
        }
    }

    private const string TemporaryMarker = ".tmp-";

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The write's own failure is what gets reported; a temporary file that cannot be
            // removed now is removed by the next recovery (see SegmentSealer.CompletePendingSeal).
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static extern int Fsync(int fd);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        public static extern int Close(int fd);
    }
}
