using Recorder.Storage.Store;
using Recorder.TestSupport;

namespace Recorder.Storage.Tests.Store;

/// <summary>
/// The direct-I/O appender under segments, verbatim copies and extraction outputs: every byte in
/// order, whatever mix of aligned blocks, odd lengths and published partial buffers produced it.
/// </summary>
public sealed class DirectAppendFileTests : IDisposable
{
    private const int Capacity = 64 * 1024;

    private readonly TempDirectory _directory = new("recorder-direct-append");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void UsesDirectWrites_OnLinuxFileSystemsThatAllowThem()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var file = new DirectAppendFile(_directory.File("direct.bin"), Capacity);

        // The test directory is on the disk the store would use (not tmpfs): direct I/O must engage.
        Assert.True(file.IsDirect, "O_DIRECT was not enabled on " + _directory.Path);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Finish_LeavesExactlyTheBytesAppended_AcrossBufferAndBlockBoundaries(bool direct)
    {
        var random = new Random(11);
        var expected = new MemoryStream();
        var path = _directory.File($"out-{direct}.bin");
        var aligned = AlignedBytes(3 * Capacity, random);
        using (var file = new DirectAppendFile(path, Capacity, direct))
        {
            while (expected.Length < 5L * Capacity + 777)
            {
                switch (random.Next(4))
                {
                    case 0:
                        // Aligned memory in whole blocks: written without a copy when the buffer is empty.
                        var blocks = aligned.Span[..(DirectAppendFile.Alignment * random.Next(1, 40))];
                        file.Append(blocks);
                        expected.Write(blocks);
                        break;
                    case 1:
                        var large = new byte[random.Next(Capacity, 3 * Capacity)];
                        random.NextBytes(large);
                        file.Append(large);
                        expected.Write(large);
                        break;
                    default:
                        var small = new byte[random.Next(1, 9_000)];
                        random.NextBytes(small);
                        file.Append(small);
                        expected.Write(small);
                        break;
                }

                Assert.Equal(expected.Length, file.Length);
            }

            file.Finish();
            file.Finish();
            Assert.Throws<InvalidOperationException>(() => file.Append([1]));
        }

        Assert.Equal(expected.ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void Publish_MakesEveryByteSoFarReadable_AndLaterDirectWritesKeepThemIntact()
    {
        var random = new Random(5);
        var expected = new MemoryStream();
        var path = _directory.File("published.bin");
        using (var file = new DirectAppendFile(path, Capacity))
        {
            for (var round = 0; round < 12; round++)
            {
                var bytes = new byte[random.Next(1, Capacity / 2)];
                random.NextBytes(bytes);
                file.Append(bytes);
                expected.Write(bytes);
                file.Publish();

                // Another reader (through the page cache) sees exactly what was appended, no more.
                Assert.Equal(expected.ToArray(), ReadShared(path));
            }

            file.Finish();
        }

        Assert.Equal(expected.ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void Constructor_RefusesAnExistingFile_AndABufferThatIsNotWholeBlocks()
    {
        var path = _directory.File("exists.bin");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<IOException>(() => new DirectAppendFile(path, Capacity));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DirectAppendFile(_directory.File("odd.bin"), 5000));
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static unsafe Memory<byte> AlignedBytes(int length, Random random)
    {
        // Pinned arrays give no alignment guarantee: over-allocate and slice at a block boundary.
        var array = GC.AllocateArray<byte>(length + DirectAppendFile.Alignment, pinned: true);
        random.NextBytes(array);
        fixed (byte* start = array)
        {
            var skip = (int)((DirectAppendFile.Alignment - ((nuint)start % DirectAppendFile.Alignment)) % DirectAppendFile.Alignment);
            return array.AsMemory(skip, length);
        }
    }
}
