using System.Diagnostics;

namespace Recorder.Index.Storage;

/// <summary>
/// A file lock that keeps the writer from deleting RocksDB files while a reader in another process
/// is opening its view or catching up. Readers take it shared for those few milliseconds; the writer
/// takes it exclusive while it opens the database and while it lets RocksDB delete obsolete files
/// (otherwise file deletion stays disabled). Measured on RocksDB 11.12: without it, a secondary instance
/// that opens while the writer compacts and deletes files silently misses some of their keys.
/// </summary>
/// <remarks>.NET on Unix maps <see cref="FileShare.None"/> to flock(LOCK_EX) and other sharing to LOCK_SH.</remarks>
internal static class ReaderGate
{
    /// <summary>The lock file in the index directory (empty; only its lock matters).</summary>
    public const string FileName = "reader-gate.lock";

    /// <summary>Takes the gate, retrying until <paramref name="wait"/> has passed; null when it could not.</summary>
    public static FileStream? TryEnter(string indexPath, bool exclusive, TimeSpan wait)
    {
        var path = Path.Combine(indexPath, FileName);
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return exclusive
                    ? new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)
                    : new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
            }
            catch (IOException) when (stopwatch.Elapsed < wait)
            {
                Thread.Sleep(1);
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    /// <summary>Takes the gate or fails with <see cref="IndexOpenException"/> after <paramref name="wait"/>.</summary>
    public static FileStream Enter(string indexPath, bool exclusive, TimeSpan wait) =>
        TryEnter(indexPath, exclusive, wait)
            ?? throw new IndexOpenException(indexPath, $"could not take the reader gate ({FileName}) within {wait.TotalSeconds:0} s: " +
                (exclusive ? "readers kept it busy" : "the writer kept it busy"));
}
