namespace Recorder.Synthesis.Tests;

public sealed class StreamingTests
{
    [Fact]
    public void Write_LargeCapture_StreamsInBoundedChunksAndAllocatesFarLessThanItWrites()
    {
        using var sink = new CountingSink();
        var options = new SynthesisOptions { TargetBytes = 96_000_000, Duration = TimeSpan.FromMinutes(20) };

        var before = GC.GetAllocatedBytesForCurrentThread();
        var truth = TrafficSynthesizer.Write(sink, options);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(truth.FileBytes, sink.Bytes);
        Assert.InRange(truth.FileBytes, 96_000_000, 96_002_000);
        Assert.True(sink.LargestWrite <= 1 << 20, $"a single write of {sink.LargestWrite} bytes");
        Assert.True(allocated < 32_000_000, $"{allocated} bytes allocated to write {truth.FileBytes}");
    }

    /// <summary>Counts what is written and keeps none of it.</summary>
    private sealed class CountingSink : Stream
    {
        public long Bytes { get; private set; }

        public int LargestWrite { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Bytes;

        public override long Position { get => Bytes; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Bytes += count;
            LargestWrite = Math.Max(LargestWrite, count);
        }
    }
}
