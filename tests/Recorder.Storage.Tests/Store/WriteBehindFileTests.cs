using System.Security.Cryptography;
using Recorder.Core.Hashing;
using Recorder.Storage.Store;
using Recorder.TestSupport;

namespace Recorder.Storage.Tests.Store;

/// <summary>The double-buffered writer under segments and extraction outputs: every byte, in order, hashed.</summary>
public sealed class WriteBehindFileTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-write-behind");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Finish_ReturnsTheSha256OfTheFile_AcrossManyBufferBoundaries()
    {
        var random = new Random(7);
        var expected = new MemoryStream();
        var path = _directory.File("out.bin");
        string sha;
        using (var file = new WriteBehindFile(path))
        {
            // Spans that fill buffers exactly, ones that cross them, and writes larger than a buffer.
            while (expected.Length < 3L * WriteBehindFile.BufferSize + 12_345)
            {
                if (random.Next(3) == 0)
                {
                    var block = new byte[random.Next(1, WriteBehindFile.BufferSize * 2)];
                    random.NextBytes(block);
                    file.Write(block);
                    expected.Write(block);
                }
                else
                {
                    var size = random.Next(1, 300_000);
                    var span = file.GetSpan(size);
                    random.NextBytes(span);
                    expected.Write(span);
                    file.Advance(size);
                }

                Assert.Equal(expected.Length, file.Length);
            }

            sha = file.Finish();
            Assert.Equal(sha, file.Finish());
            Assert.Throws<InvalidOperationException>(() => file.Write([1]));
        }

        var written = File.ReadAllBytes(path);
        Assert.Equal(expected.ToArray(), written);
        Assert.Equal(Hex.Lower(SHA256.HashData(written)), sha);
    }

    [Fact]
    public void FlushToOperatingSystem_MakesEveryByteSoFarReadable_BeforeTheFileIsFinished()
    {
        var path = _directory.File("open.bin");
        using var file = new WriteBehindFile(path);
        file.Write(new byte[1000]);
        file.Write(Enumerable.Repeat((byte)0xAB, 24).ToArray());

        file.FlushToOperatingSystem();

        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Assert.Equal(1024, reader.Length);
    }

    [Fact]
    public void Constructor_RefusesAnExistingFile()
    {
        var path = _directory.File("exists.bin");
        File.WriteAllBytes(path, [1, 2, 3]);

        Assert.Throws<IOException>(() => new WriteBehindFile(path).Dispose());
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
    }
}
