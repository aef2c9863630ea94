using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Recorder.Ledger.Merkle;

namespace Recorder.Ledger.Storage;

/// <summary>One entry of <c>tree/heads.u64</c>: a signed head's tree size, where its line starts, and where its batch ends.</summary>
internal readonly record struct HeadIndexRecord(long Size, long HeadOffset, long BatchEnd)
{
    public const int Length = 24;
}

/// <summary>
/// The derived files under <c>tree/</c>, opened for one locked session: <c>offsets.u64</c> (byte offset
/// of each entry line, u64 little-endian), <c>heads.u64</c> (<see cref="HeadIndexRecord"/>, 3 × u64 LE),
/// and <c>level-NN.hash</c> (the hash of every complete subtree of 2^NN leaves, in order, 32 bytes
/// each; level 00 holds the leaf hashes). Everything here can be rebuilt from <c>ledger.jsonl</c>;
/// nothing is fsynced. Writes are queued and issued as one positioned write per file on
/// <see cref="Flush"/>.
/// </summary>
internal sealed class TreeFiles : IDisposable
{
    private const string OffsetsName = "offsets.u64";
    private const string HeadsName = "heads.u64";

    private readonly string _directory;
    private readonly Dictionary<string, SafeFileHandle> _handles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingWrite> _pending = new(StringComparer.Ordinal);

    public TreeFiles(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
    }

    public long OffsetCount => Length(OffsetsName) / 8;

    public long HeadCount => Length(HeadsName) / HeadIndexRecord.Length;

    public static string LevelName(int level) => "level-" + level.ToString("D2", CultureInfo.InvariantCulture) + ".hash";

    public void QueueOffset(long seq, long offset)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, offset);
        Queue(OffsetsName, checked(seq * 8), bytes);
    }

    public void QueueNode(int level, long index, byte[] hash) =>
        Queue(LevelName(level), checked(index * MerkleHash.Size), hash);

    public void QueueHead(long headIndex, HeadIndexRecord record)
    {
        Span<byte> bytes = stackalloc byte[HeadIndexRecord.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, record.Size);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], record.HeadOffset);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[16..], record.BatchEnd);
        Queue(HeadsName, checked(headIndex * HeadIndexRecord.Length), bytes);
    }

    public long ReadOffset(long seq)
    {
        Span<byte> bytes = stackalloc byte[8];
        ReadExactly(OffsetsName, checked(seq * 8), bytes);
        return BinaryPrimitives.ReadInt64LittleEndian(bytes);
    }

    public byte[] ReadNode(int level, long index)
    {
        var hash = new byte[MerkleHash.Size];
        ReadExactly(LevelName(level), checked(index * MerkleHash.Size), hash);
        return hash;
    }

    public HeadIndexRecord ReadHead(long headIndex)
    {
        Span<byte> bytes = stackalloc byte[HeadIndexRecord.Length];
        ReadExactly(HeadsName, checked(headIndex * HeadIndexRecord.Length), bytes);
        return new HeadIndexRecord(
            BinaryPrimitives.ReadInt64LittleEndian(bytes),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]));
    }

    /// <summary>Finds the head of exactly <paramref name="size"/> entries by binary search (sizes strictly increase).</summary>
    public long? FindHead(long size, long headCount)
    {
        long lo = 0, hi = headCount - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            var found = ReadHead(mid).Size;
            if (found == size)
            {
                return mid;
            }

            if (found < size)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return null;
    }

    /// <summary>Cuts every file to what <paramref name="entries"/> entries and <paramref name="heads"/> heads need.</summary>
    public void Truncate(long entries, long heads)
    {
        _pending.Clear();
        SetLength(OffsetsName, checked(entries * 8));
        SetLength(HeadsName, checked(heads * HeadIndexRecord.Length));
        for (var level = 0; level < 63; level++)
        {
            var name = LevelName(level);
            var keep = checked((entries >> level) * MerkleHash.Size);
            if (keep == 0 && !File.Exists(Path.Combine(_directory, name)))
            {
                break;
            }

            SetLength(name, keep);
        }
    }

    public void Flush()
    {
        foreach (var (name, write) in _pending)
        {
            if (write.Buffer.WrittenCount > 0)
            {
                RandomAccess.Write(Handle(name), write.Buffer.WrittenSpan, write.Start);
            }
        }

        _pending.Clear();
    }

    public void Dispose()
    {
        foreach (var handle in _handles.Values)
        {
            handle.Dispose();
        }

        _handles.Clear();
    }

    private void Queue(string name, long position, ReadOnlySpan<byte> bytes)
    {
        if (_pending.TryGetValue(name, out var write) && write.Start + write.Buffer.WrittenCount != position)
        {
            RandomAccess.Write(Handle(name), write.Buffer.WrittenSpan, write.Start);
            _pending.Remove(name);
            write = null;
        }

        if (write is null)
        {
            write = new PendingWrite(position);
            _pending[name] = write;
        }

        write.Buffer.Write(bytes);
    }

    private long Length(string name) => RandomAccess.GetLength(Handle(name));

    private void SetLength(string name, long length)
    {
        if (Length(name) != length)
        {
            RandomAccess.SetLength(Handle(name), length);
        }
    }

    private void ReadExactly(string name, long position, Span<byte> destination)
    {
        if (_pending.TryGetValue(name, out var write) && position >= write.Start && position + destination.Length <= write.Start + write.Buffer.WrittenCount)
        {
            write.Buffer.WrittenSpan.Slice(checked((int)(position - write.Start)), destination.Length).CopyTo(destination);
            return;
        }

        var read = RandomAccess.Read(Handle(name), destination, position);
        if (read != destination.Length)
        {
            throw new DerivedDataException($"{name}: {destination.Length} bytes at {position} are not there");
        }
    }

    private SafeFileHandle Handle(string name)
    {
        if (!_handles.TryGetValue(name, out var handle))
        {
            handle = File.OpenHandle(Path.Combine(_directory, name), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            _handles[name] = handle;
        }

        return handle;
    }

    private sealed class PendingWrite(long start)
    {
        public long Start { get; } = start;

        public ArrayBufferWriter<byte> Buffer { get; } = new(4096);
    }
}

/// <summary>The derived files disagree with themselves or the ledger; the caller rebuilds them.</summary>
internal sealed class DerivedDataException : Exception
{
    public DerivedDataException()
    {
    }

    public DerivedDataException(string message)
        : base(message)
    {
    }

    public DerivedDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
