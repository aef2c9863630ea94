using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Recorder.Signing.TimeStamping;

/// <summary>How far a clock reading can be trusted, as honestly as the host can say.</summary>
/// <param name="Source">Where times come from: <c>system-utc</c> for the host's system clock, otherwise
/// <c>provided:</c> and the name of the injected clock's type.</param>
/// <param name="Synchronization"><c>synchronized</c> when the kernel reports the clock disciplined by NTP/PTP,
/// <c>unsynchronized</c> when it reports it is not, <c>unknown</c> when it cannot be asked.</param>
/// <param name="MaxErrorMicroseconds">The kernel's own bound on the clock's error (<c>ntp_adjtime</c>'s
/// <c>maxerror</c>), in microseconds; null when unknown.</param>
public sealed record ClockInfo(string Source, string Synchronization, long? MaxErrorMicroseconds)
{
    /// <summary>The <see cref="Synchronization"/> value for a disciplined clock.</summary>
    public const string Synchronized = "synchronized";

    /// <summary>The <see cref="Synchronization"/> value for a clock the kernel says is not disciplined.</summary>
    public const string Unsynchronized = "unsynchronized";

    /// <summary>The <see cref="Synchronization"/> value when nothing can be said.</summary>
    public const string Unknown = "unknown";
}

/// <summary>
/// Asks the host what it knows about its clock. On Linux this is <c>ntp_adjtime(2)</c> in read-only
/// mode (<c>modes = 0</c>, no privilege needed): the return value says whether the kernel considers
/// the clock synchronized (<c>TIME_ERROR</c> = 5 or the <c>STA_UNSYNC</c> status bit means not), and
/// <c>maxerror</c> is the kernel's bound on the error in microseconds. Elsewhere, or for an injected
/// clock that is not the system clock, the answer is <c>unknown</c>.
/// </summary>
public static class HostClock
{
    private const int TimeError = 5;
    private const int StatusUnsync = 0x0040;

    /// <summary>Describes <paramref name="clock"/>.</summary>
    public static ClockInfo Describe(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (!ReferenceEquals(clock, TimeProvider.System))
        {
            return new ClockInfo("provided:" + clock.GetType().Name, ClockInfo.Unknown, null);
        }

        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            return new ClockInfo("system-utc", ClockInfo.Unknown, null);
        }

        // struct timex on 64-bit Linux is 208 bytes; a larger zeroed buffer leaves room and sets
        // modes = 0 (read only). maxerror is at offset 24, status at 40 (glibc x86_64 and aarch64 layout).
        var buffer = new byte[256];
        int state;
        try
        {
            state = NativeMethods.NtpAdjTime(buffer);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return new ClockInfo("system-utc", ClockInfo.Unknown, null);
        }

        if (state < 0)
        {
            return new ClockInfo("system-utc", ClockInfo.Unknown, null);
        }

        var maxError = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(24));
        var status = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(40));
        var synchronized = state != TimeError && (status & StatusUnsync) == 0;
        return new ClockInfo("system-utc", synchronized ? ClockInfo.Synchronized : ClockInfo.Unsynchronized, maxError >= 0 ? maxError : null);
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "ntp_adjtime", SetLastError = false)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int NtpAdjTime([In, Out] byte[] timex);
    }
}
