using System.Diagnostics;

namespace Recorder.Storage.Store;

/// <summary>
/// A cross-process exclusive lock on a file. On Linux, .NET implements <see cref="FileShare.None"/>
/// with <c>flock(LOCK_EX)</c>, which the kernel releases when the process dies (kill -9 included),
/// so a crashed holder never leaves the store locked.
/// </summary>
public sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream, string path)
    {
        _stream = stream;
        Path = path;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>Takes the lock if it is free; null when another process (or handle) holds it.</summary>
    public static FileLock? TryAcquire(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            return new FileLock(stream, path);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
    }

    /// <summary>
    /// Takes the lock on a lock file another process created, never creating the file or its
    /// directory: for probing whether that process still lives. Null when the lock is busy or when
    /// the file is gone (<paramref name="missing"/>: its owner removed it, or never made it yet).
    /// </summary>
    public static FileLock? TryAcquireExisting(string path, out bool missing)
    {
        ArgumentNullException.ThrowIfNull(path);
        missing = false;
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            return new FileLock(stream, path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            missing = true;
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Waits for the lock up to <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">The lock stayed busy.</exception>
    public static FileLock Acquire(string path, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var delay = 1;
        while (true)
        {
            var taken = TryAcquire(path);
            if (taken is not null)
            {
                return taken;
            }

            if (stopwatch.Elapsed > timeout)
            {
                throw new TimeoutException($"{path}: still locked by another process after {timeout.TotalSeconds:0.#} s");
            }

            cancellationToken.ThrowIfCancellationRequested();
            Thread.Sleep(delay);
            delay = Math.Min(delay * 2, 50);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
