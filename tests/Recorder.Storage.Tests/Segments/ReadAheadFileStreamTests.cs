using CsCheck;
using Recorder.Storage.Segments;
using Recorder.TestSupport;

namespace Recorder.Storage.Tests.Segments;

/// <summary>The read-ahead stream gives exactly the file's bytes, whatever the chunk and read sizes, and stops cleanly when left early.</summary>
public sealed class ReadAheadFileStreamTests : IDisposable
{
    private readonly TempDirectory _directory = new("read-ahead");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void ReadsExactlyTheFile_ForAnyLengthChunkAndReadSize()
    {
        var file = 0;
        Gen.Select(Gen.Int[0, 70_000], Gen.Int[1, 9_000], Gen.Int[2, 5], Gen.Int[1, 20_000]).Sample((length, chunk, chunks, readSize) =>
        {
            var bytes = new byte[length];
            new Random(length ^ chunk).NextBytes(bytes);
            var path = _directory.File($"f{file++}");
            File.WriteAllBytes(path, bytes);

            using var stream = new ReadAheadFileStream(path, chunk, chunks);
            Assert.Equal(length, stream.Length);
            using var copy = new MemoryStream();
            var buffer = new byte[readSize];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                copy.Write(buffer, 0, read);
            }

            Assert.Equal(bytes, copy.ToArray());
            Assert.Equal(0, stream.Read(buffer));
            Assert.Equal(length, stream.Position);
        }, iter: 200);
    }

    [Fact]
    public void DirectReads_GiveExactlyTheFile_IncludingAnUnalignedTail()
    {
        var file = 0;
        Gen.Select(Gen.Int[0, 300_000], Gen.Int[1, 4], Gen.Int[1, 70_000]).Sample((length, pages, readSize) =>
        {
            var bytes = new byte[length];
            new Random(length).NextBytes(bytes);
            var path = _directory.File($"d{file++}");
            File.WriteAllBytes(path, bytes);

            using var stream = new ReadAheadFileStream(path, pages * 4096, 3, direct: true);
            using var copy = new MemoryStream();
            stream.CopyTo(copy, readSize);
            Assert.Equal(bytes, copy.ToArray());
        }, iter: 100);
    }

    [Fact]
    public async Task Disposed_BeforeTheEnd_StopsTheReaderWithoutHanging()
    {
        var path = _directory.File("big");
        File.WriteAllBytes(path, new byte[1_000_000]);
        var stream = new ReadAheadFileStream(path, 4096, 2);
        Assert.Equal(100, stream.Read(new byte[100]));
        // Throws TimeoutException if dispose waits for a reader that never stops.
        await Task.Run(stream.Dispose).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void MissingFile_IsRefusedAtOpening()
    {
        Assert.Throws<FileNotFoundException>(() => new ReadAheadFileStream(_directory.File("absent")));
    }
}
