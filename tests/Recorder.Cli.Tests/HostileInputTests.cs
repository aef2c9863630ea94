using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary>Input that would change meaning, or that no timestamp can hold, is refused with exit 2 and one line naming what and where.</summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-hostile");

    public HostileInputTests()
    {
        var (sample, _) = Cli.Sample(_directory, packets: 100);
        Assert.Equal(0, Cli.Run("--store", Store, "import", sample).ExitCode);
    }

    private string Store => _directory.File("store");

    [Theory]
    [InlineData("--case", "T-1\u0000")]
    [InlineData("--case", "T-\u202E1")]
    [InlineData("--reason", "tests\u2067")]
    [InlineData("--reason", "line\nforged: entry")]
    [InlineData("--bpf", "udp\u0000 or tcp")]
    [InlineData("--bpf", "udp \u202E or tcp")]
    public void Query_TextThatWouldChangeMeaning_ExitsTwoNamingTheOption(string option, string value)
    {
        string[] args = ["--store", Store, "query", "--case", "T-1", "--reason", "tests", "--out", _directory.File("x.pcap")];
        var index = Array.IndexOf(args, option);
        args = index >= 0 ? [.. args[..(index + 1)], value, .. args[(index + 2)..]] : [.. args, option, value];

        var result = Cli.Run(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(option, line, StringComparison.Ordinal);
        Assert.Contains("U+", line, StringComparison.Ordinal);
        Assert.False(File.Exists(_directory.File("x.pcap")));
    }

    [Theory]
    [InlineData((byte)0x80, 1UL << 40, 0L)]
    [InlineData((byte)6, ulong.MaxValue, 0L)]
    [InlineData((byte)9, 1UL, long.MaxValue)]
    public void Import_PcapngTimestampOutOfRange_ExitsTwoNamingFileAndOffset(byte resolution, ulong ticks, long tsOffset)
    {
        var path = _directory.File("overflow.pcapng");
        File.WriteAllBytes(path, Pcapng(resolution, tsOffset, ticks));

        var result = Cli.Run("--store", Store, "import", path);

        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{path}: offset 72: timestamp out of range", line, StringComparison.Ordinal);
        Assert.DoesNotContain("OverflowException", line, StringComparison.Ordinal);
    }

    [Fact]
    public void UserAdd_WithTheIdentityProviderPrefix_ExitsTwo()
    {
        var result = Cli.Run("--store", Store, "user", "add", "--name", "sso.bob", "--role", "investigator");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("reserved for identity-provider users", result.Error, StringComparison.Ordinal);
    }

    /// <summary>A section header (28 bytes), an interface with if_tsresol and if_tsoffset (44), one packet at offset 72.</summary>
    private static byte[] Pcapng(byte resolution, long tsOffset, ulong ticks)
    {
        using var output = new MemoryStream();
        void U32(uint value) => output.Write(BitConverter.GetBytes(value));
        void U16(ushort value) => output.Write(BitConverter.GetBytes(value));

        U32(0x0A0D0D0A); U32(28); U32(0x1A2B3C4D); U16(1); U16(0); output.Write(BitConverter.GetBytes(-1L)); U32(28);
        U32(1); U32(44); U16(1); U16(0); U32(0);
        U16(9); U16(1); output.Write([resolution, 0, 0, 0]);
        U16(14); U16(8); output.Write(BitConverter.GetBytes(tsOffset));
        U32(0); U32(44);
        U32(6); U32(36); U32(0); U32((uint)(ticks >> 32)); U32(unchecked((uint)ticks)); U32(4); U32(4); U32(0xDEADBEEF); U32(36);
        return output.ToArray();
    }

    public void Dispose() => _directory.Dispose();
}
