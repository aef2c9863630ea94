namespace Recorder.Index.Rocks;

/// <summary>An error reported by RocksDB; the message is RocksDB's own status text (e.g. "IO error: While lock file: …").</summary>
public sealed class RocksDbException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RocksDbException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RocksDbException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RocksDbException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
