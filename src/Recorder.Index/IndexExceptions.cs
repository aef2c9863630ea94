namespace Recorder.Index;

/// <summary>The index could not be opened: missing, locked by another writer, or not a Recorder index.</summary>
public class IndexOpenException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IndexOpenException(string path, string message, Exception? innerException = null)
        : base($"index {path}: {message}", innerException)
    {
        IndexPath = path;
    }

    /// <summary>Creates the exception.</summary>
    public IndexOpenException()
        : this(string.Empty, "cannot be opened")
    {
    }

    /// <summary>Creates the exception.</summary>
    public IndexOpenException(string message)
        : this(string.Empty, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public IndexOpenException(string message, Exception innerException)
        : this(string.Empty, message, innerException)
    {
    }

    /// <summary>The index directory.</summary>
    public string IndexPath { get; }
}

/// <summary>The index was written in a format version this build does not read.</summary>
public sealed class IndexVersionException : IndexOpenException
{
    /// <summary>Creates the exception.</summary>
    public IndexVersionException(string path, int foundVersion, int supportedVersion)
        : base(path, $"format version {foundVersion}, this build reads version {supportedVersion} only; " +
            "rebuild the index from the segments (recorder index rebuild) or use a matching build")
    {
        FoundVersion = foundVersion;
        SupportedVersion = supportedVersion;
    }

    /// <summary>Creates the exception.</summary>
    public IndexVersionException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public IndexVersionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public IndexVersionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The version recorded in the index.</summary>
    public int FoundVersion { get; }

    /// <summary>The version this build reads and writes.</summary>
    public int SupportedVersion { get; }
}

/// <summary>A stored record does not decode: the index is damaged (rebuild it from the segments).</summary>
public sealed class IndexCorruptException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IndexCorruptException(string columnFamily, ReadOnlySpan<byte> key, string message, Exception? innerException = null)
        : base($"index corrupt: {columnFamily} key {Convert.ToHexStringLower(key)}: {message}", innerException)
    {
        ColumnFamily = columnFamily;
        Key = Convert.ToHexStringLower(key);
    }

    /// <summary>Creates the exception.</summary>
    public IndexCorruptException()
    {
        ColumnFamily = string.Empty;
        Key = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public IndexCorruptException(string message)
        : base(message)
    {
        ColumnFamily = string.Empty;
        Key = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public IndexCorruptException(string message, Exception innerException)
        : base(message, innerException)
    {
        ColumnFamily = string.Empty;
        Key = string.Empty;
    }

    /// <summary>The column family holding the bad record.</summary>
    public string ColumnFamily { get; }

    /// <summary>The record's key, lowercase hex.</summary>
    public string Key { get; }
}
