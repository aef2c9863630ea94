using System.Buffers.Binary;
using Recorder.Core.Packets;

namespace Recorder.Core.Indexing;

/// <summary>
/// A segment's index data in a file, read back flow by flow: what <see cref="SegmentIndexBuilder"/>
/// leaves when its state outgrew its memory limit, and what a recording session keeps for a staged
/// segment. A private, transient encoding (never evidence, never read by another build): it lives
/// beside the open segment in its session directory, which recovery removes after a crash.
/// </summary>
/// <remarks>
/// Layout, little-endian: magic <c>RXIF</c>, version byte 1, chunk count (int32) and the chunks;
/// then per flow a marker byte 1 and the record (<see cref="FlowRun"/>); then a marker byte 0 and
/// the flow count (int64), so a file cut short is refused rather than read as fewer flows. The same
/// layout holds a builder's spilled runs (no chunks).
/// </remarks>
public sealed class SegmentIndexFile : ISegmentIndexSource, IDisposable
{
    private SegmentIndexFile(string path) => Path = path;

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    /// <remarks>Read from the file each time: a staged segment's chunks stay on disk until it is indexed.</remarks>
    public IReadOnlyList<TimeChunk> Chunks
    {
        get
        {
            using var reader = new FlowRunReader(Path);
            return reader.Chunks;
        }
    }

    /// <summary>Writes <paramref name="source"/> to a new file at <paramref name="path"/> (removed again if the write fails).</summary>
    public static SegmentIndexFile Write(string path, ISegmentIndexSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            using (var writer = new FlowRunWriter(path, source.Chunks))
            {
                foreach (var flow in source.ReadFlows())
                {
                    var positions = Varint.ReadDeltas(flow.Positions);
                    writer.Write(new FlowRun(flow, positions.Count == 0 ? 0 : positions[0], positions.Count == 0 ? 0 : positions[^1]));
                }

                writer.Complete();
            }

            return new SegmentIndexFile(path);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Takes over a complete file written by <see cref="FlowRunWriter"/>.</summary>
    internal static SegmentIndexFile Adopt(string path) => new(path);

    /// <inheritdoc />
    public IEnumerable<FlowEntry> ReadFlows()
    {
        using var reader = new FlowRunReader(Path);
        while (reader.TryRead(out var run))
        {
            yield return run.Entry;
        }
    }

    /// <summary>Deletes the file.</summary>
    public void Dispose() => File.Delete(Path);
}

/// <summary>A flow as a spilled run holds it: the entry and the absolute offsets of its first and last packet.</summary>
/// <param name="Entry">The flow (positions delta-encoded, the first one absolute).</param>
/// <param name="FirstOffset">Offset of its first packet block.</param>
/// <param name="LastOffset">Offset of its last packet block.</param>
internal readonly record struct FlowRun(FlowEntry Entry, long FirstOffset, long LastOffset);

/// <summary>Writes the layout described on <see cref="SegmentIndexFile"/>.</summary>
internal sealed class FlowRunWriter : IDisposable
{
    public const uint Magic = 0x46495852; // "RXIF" little-endian
    public const byte Version = 1;

    private readonly FileStream _stream;
    private readonly BinaryWriter _writer;
    private long _flows;

    public FlowRunWriter(string path, IReadOnlyList<TimeChunk> chunks)
    {
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        _writer = new BinaryWriter(_stream);
        _writer.Write(Magic);
        _writer.Write(Version);
        _writer.Write(chunks.Count);
        foreach (var chunk in chunks)
        {
            _writer.Write(chunk.Offset);
            _writer.Write(chunk.EndOffset);
            _writer.Write(chunk.MinNanoseconds);
            _writer.Write(chunk.MaxNanoseconds);
            _writer.Write(chunk.Packets);
        }
    }

    public void Write(in FlowKey key, long first, long last, long packets, long bytes, long firstOffset, long lastOffset, ReadOnlySpan<byte> positions)
    {
        Span<byte> address = stackalloc byte[16];
        _writer.Write((byte)1);
        _writer.Write((byte)key.Kind);
        _writer.Write(key.Protocol);
        _writer.Write(key.HasPorts);
        BinaryPrimitives.WriteUInt128BigEndian(address, key.AddressA);
        _writer.Write(address);
        _writer.Write(key.PortA);
        BinaryPrimitives.WriteUInt128BigEndian(address, key.AddressB);
        _writer.Write(address);
        _writer.Write(key.PortB);
        _writer.Write(first);
        _writer.Write(last);
        _writer.Write(packets);
        _writer.Write(bytes);
        _writer.Write(firstOffset);
        _writer.Write(lastOffset);
        _writer.Write(positions.Length);
        _writer.Write(positions);
        _flows++;
    }

    public void Write(in FlowRun run) =>
        Write(run.Entry.Key, run.Entry.FirstNanoseconds, run.Entry.LastNanoseconds, run.Entry.Packets, run.Entry.Bytes, run.FirstOffset, run.LastOffset, run.Entry.Positions);

    /// <summary>Writes the end marker and flow count.</summary>
    public void Complete()
    {
        _writer.Write((byte)0);
        _writer.Write(_flows);
        _writer.Flush();
    }

    public void Dispose() => _writer.Dispose();
}

/// <summary>Reads the layout described on <see cref="SegmentIndexFile"/>, flow by flow.</summary>
internal sealed class FlowRunReader : IDisposable
{
    private readonly BinaryReader _reader;
    private readonly string _path;
    private long _flows;
    private bool _ended;

    public FlowRunReader(string path)
    {
        _path = path;
        _reader = new BinaryReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16));
        try
        {
            if (_reader.ReadUInt32() != FlowRunWriter.Magic || _reader.ReadByte() != FlowRunWriter.Version)
            {
                throw new InvalidDataException($"{path}: not a segment index file of this build");
            }

            var chunks = new TimeChunk[_reader.ReadInt32()];
            for (var i = 0; i < chunks.Length; i++)
            {
                chunks[i] = new TimeChunk(_reader.ReadInt64(), _reader.ReadInt64(), _reader.ReadInt64(), _reader.ReadInt64(), _reader.ReadInt32());
            }

            Chunks = chunks;
        }
        catch
        {
            _reader.Dispose();
            throw;
        }
    }

    public IReadOnlyList<TimeChunk> Chunks { get; }

    public bool TryRead(out FlowRun run)
    {
        run = default;
        if (_ended)
        {
            return false;
        }

        try
        {
            if (_reader.ReadByte() == 0)
            {
                _ended = true;
                var count = _reader.ReadInt64();
                return count == _flows ? false : throw new InvalidDataException($"{_path}: {_flows} flows read, the file counts {count}");
            }

            var kind = (NetworkKind)_reader.ReadByte();
            var protocol = _reader.ReadByte();
            var hasPorts = _reader.ReadBoolean();
            var addressA = BinaryPrimitives.ReadUInt128BigEndian(_reader.ReadBytes(16));
            var portA = _reader.ReadUInt16();
            var addressB = BinaryPrimitives.ReadUInt128BigEndian(_reader.ReadBytes(16));
            var portB = _reader.ReadUInt16();
            var key = new FlowKey(kind, protocol, hasPorts, addressA, portA, addressB, portB);
            var first = _reader.ReadInt64();
            var last = _reader.ReadInt64();
            var packets = _reader.ReadInt64();
            var bytes = _reader.ReadInt64();
            var firstOffset = _reader.ReadInt64();
            var lastOffset = _reader.ReadInt64();
            var length = _reader.ReadInt32();
            var positions = _reader.ReadBytes(length);
            if (positions.Length != length)
            {
                throw new EndOfStreamException();
            }

            _flows++;
            run = new FlowRun(new FlowEntry(key, first, last, packets, bytes, positions), firstOffset, lastOffset);
            return true;
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"{_path}: cut short after {_flows} flows", e);
        }
    }

    public void Dispose() => _reader.Dispose();
}
