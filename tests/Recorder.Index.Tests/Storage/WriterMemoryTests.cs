namespace Recorder.Index.Tests.Storage;

/// <summary>
/// A long import indexes millions of flows through one writer. Without a total for the memtables,
/// each column family filled its own 64 MiB write buffers before flushing, so the import's memory
/// grew with the flows indexed; the writer now caps all memtables together (RocksDB records the
/// options it runs with in its OPTIONS file, which is what this reads).
/// </summary>
public sealed class WriterMemoryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Writer_CapsTheMemtablesOfAllColumnFamiliesTogether()
    {
        var path = _temp.Sub("index");
        using (var index = RocksPacketIndex.OpenWriter(path))
        {
            var segment = Synthetic.ForId(1);
            index.Add(segment.Segment, segment.Data);
        }

        var options = Directory.GetFiles(path, "OPTIONS-*").Where(f => !f.EndsWith(".dbtmp", StringComparison.Ordinal)).Max(StringComparer.Ordinal)!;
        var line = File.ReadLines(options).Select(l => l.Trim()).Single(l => l.StartsWith("db_write_buffer_size=", StringComparison.Ordinal));

        Assert.Equal("db_write_buffer_size=" + (32 * 1024 * 1024), line);
    }
}
