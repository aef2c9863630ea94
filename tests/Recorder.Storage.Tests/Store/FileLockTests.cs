using Recorder.Storage.Store;
using Recorder.TestSupport;

namespace Recorder.Storage.Tests.Store;

/// <summary>Probing another process's lock must never create its lock file or directory (a session being removed would come back).</summary>
public sealed class FileLockTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-file-lock");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void TryAcquireExisting_OnAMissingFileOrDirectory_CreatesNothing()
    {
        var gone = Path.Combine(_directory.Path, "session", "session.lock");

        Assert.Null(FileLock.TryAcquireExisting(gone, out var missing));
        Assert.True(missing);
        Assert.False(Directory.Exists(Path.GetDirectoryName(gone)));

        Directory.CreateDirectory(Path.GetDirectoryName(gone)!);
        Assert.Null(FileLock.TryAcquireExisting(gone, out missing));
        Assert.True(missing);
        Assert.False(File.Exists(gone));
    }

    [Fact]
    public void TryAcquireExisting_SeesABusyLock_AndTakesAFreeOne()
    {
        var path = _directory.File("owner.lock");
        using (var owner = FileLock.TryAcquire(path))
        {
            Assert.NotNull(owner);
            Assert.Null(FileLock.TryAcquireExisting(path, out var missing));
            Assert.False(missing);
        }

        using var probe = FileLock.TryAcquireExisting(path, out var stillMissing);
        Assert.NotNull(probe);
        Assert.False(stillMissing);
    }
}
