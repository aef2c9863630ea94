using System.Diagnostics;

namespace Recorder.Ledger.Storage;

/// <summary>
/// The cross-process writer lock: an exclusive <c>flock</c> on <c>ledger.lock</c>, which .NET takes
/// on Unix when a file is opened with <see cref="FileShare.None"/>. A held lock makes the open fail
/// with a sharing violation; the caller waits with backoff up to a timeout. The kernel drops the
/// lock when its holder dies, so a crashed writer never leaves the ledger locked.
/// </summary>
/// <remarks>Setting <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> disables .NET's flock and with it this lock: never set it for Recorder.</remarks>
internal sealed class LedgerLock : IDisposable
{
    // What a held lock looks like: ERROR_SHARING_VIOLATION on Windows; on Unix .NET reports the
    // flock errno EWOULDBLOCK as the HResult (11 on Linux, 35 on macOS).
    private const int SharingViolation = unchecked((int)0x80070020);
    private const int LinuxWouldBlock = 11;
    private const int MacWouldBlock = 35;
    private readonly FileStream _stream;

    private LedgerLock(FileStream stream) => _stream = stream;

    public static LedgerLock Acquire(string path, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        var spins = 0;
        while (true)
        {
            try
            {
                return new LedgerLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1));
            }
            catch (IOException e) when (e.HResult is SharingViolation or LinuxWouldBlock or MacWouldBlock)
            {
                if (waited.Elapsed > timeout)
                {
                    throw new LedgerLockTimeoutException(path, timeout, e);
                }

                if (spins++ < 20)
                {
                    Thread.Yield();
                }
                else
                {
                    Thread.Sleep(spins < 100 ? 1 : 5);
                }
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
