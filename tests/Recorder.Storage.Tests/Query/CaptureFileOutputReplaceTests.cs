using Recorder.Storage.Query;
using Recorder.TestSupport;

namespace Recorder.Storage.Tests.Query;

/// <summary>A query output is renamed into place only when nothing is there, unless replacing was allowed.</summary>
public sealed class CaptureFileOutputReplaceTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-output");

    [Fact]
    public void Complete_WhenAFileIsAtThePath_ThrowsNamingIt_KeepsTheFile_AndLeavesNoTemporary()
    {
        var path = _directory.File("taken.pcap");
        using var output = new CaptureFileOutput(path, false, "tests");
        output.Write(1, 1, 1_700_000_000_000_000_000, 60, new byte[60]);

        // Created after the output started (as by another process between a check and the rename).
        var earlier = Enumerable.Range(0, 77).Select(i => unchecked((byte)i)).ToArray();
        File.WriteAllBytes(path, earlier);

        var error = Assert.Throws<OutputExistsException>(() => output.Complete());
        output.Dispose();

        Assert.Equal(path, error.Path);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(earlier, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public void Complete_WithReplaceExisting_ReplacesTheFile()
    {
        var path = _directory.File("scratch.pcap");
        File.WriteAllBytes(path, [1, 2, 3]);
        using var output = new CaptureFileOutput(path, false, "tests", replaceExisting: true);
        output.Write(1, 1, 1_700_000_000_000_000_000, 60, new byte[60]);

        var written = output.Complete();

        Assert.Equal(1, written.Packets);
        Assert.Equal(CaptureFiles.Sha256(path), written.Sha256);
    }

    public void Dispose() => _directory.Dispose();
}
