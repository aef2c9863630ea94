namespace Recorder.Index;

/// <summary>How new index files are compressed. Readers decode any of them: the choice is per file.</summary>
public enum IndexCompression
{
    /// <summary>No compression.</summary>
    None = 0,

    /// <summary>LZ4: fast, moderate ratio.</summary>
    Lz4 = 1,

    /// <summary>Zstandard: the default, best ratio at a cost that is negligible for the index.</summary>
    Zstd = 2,
}

/// <summary>Options of a writer. The defaults are what the measurements in docs/index-format.md chose.</summary>
public sealed record RocksIndexOptions
{
    /// <summary>The defaults.</summary>
    public static readonly RocksIndexOptions Default = new();

    /// <summary>Compression of new files.</summary>
    public IndexCompression Compression { get; init; } = IndexCompression.Zstd;

    /// <summary>
    /// How long <see cref="RocksPacketIndex.OpenWriter(string, RocksIndexOptions?)"/> waits for another
    /// process's writer to close before failing. Zero fails at once.
    /// </summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.Zero;

    /// <summary>Position lists up to this many bytes are stored inside the flow record, longer ones under their own key.</summary>
    public int InlinePositionsLimit { get; init; } = 64;

    /// <summary>Whether position lists whose values are all multiples of 4 are stored divided by 4.</summary>
    public bool QuarterPositions { get; init; } = true;

    /// <summary>Target size of a table data block before compression (a tuning knob for measurements).</summary>
    internal int BlockSize { get; init; } = 16 * 1024;

    internal void Validate()
    {
        if (!Enum.IsDefined(Compression))
        {
            throw new ArgumentOutOfRangeException(nameof(Compression), Compression, "unknown compression");
        }

        if (LockWait < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LockWait), LockWait, "must not be negative");
        }

        if (BlockSize is < 1024 or > 1_048_576)
        {
            throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "must be 1 KiB to 1 MiB");
        }

        if (InlinePositionsLimit is < 0 or > 1_048_576)
        {
            throw new ArgumentOutOfRangeException(nameof(InlinePositionsLimit), InlinePositionsLimit, "must be 0 to 1 MiB");
        }
    }
}
