using Microsoft.Extensions.Time.Testing;
using Recorder.Signing.TimeStamping;

namespace Recorder.Signing.Tests.TimeStamping;

public sealed class HostClockTests
{
    [Fact]
    public void Describe_InjectedClock_SaysProvidedAndUnknown()
    {
        var info = HostClock.Describe(new FakeTimeProvider());

        Assert.Equal(new ClockInfo("provided:FakeTimeProvider", ClockInfo.Unknown, null), info);
    }

    [SkippableFact]
    public void Describe_SystemClockOnLinux_AsksTheKernel()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && Environment.Is64BitProcess, "ntp_adjtime is read on 64-bit Linux only");

        var info = HostClock.Describe(TimeProvider.System);

        Assert.Equal("system-utc", info.Source);
        Assert.Contains(info.Synchronization, new[] { ClockInfo.Synchronized, ClockInfo.Unsynchronized });
        Assert.NotNull(info.MaxErrorMicroseconds);
    }
}
