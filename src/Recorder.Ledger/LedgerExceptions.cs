namespace Recorder.Ledger;

/// <summary>
/// The ledger on disk is not what Recorder wrote: an entry or head does not check out, the file
/// shrank, or complete entries follow the last signed head. The ledger refuses to append on top of
/// it; <see cref="Verification.LedgerVerifier"/> lists every problem. <see cref="Seq"/> and
/// <see cref="Offset"/> say where the first one is.
/// </summary>
public sealed class LedgerIntegrityException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LedgerIntegrityException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public LedgerIntegrityException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public LedgerIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming where the problem is.</summary>
    public LedgerIntegrityException(string path, long? seq, long? offset, string problem)
        : base($"{path}: {(seq is { } s ? $"entry {s}: " : string.Empty)}{(offset is { } o ? $"at byte {o}: " : string.Empty)}{problem}")
    {
        Path = path;
        Seq = seq;
        Offset = offset;
    }

    /// <summary>The ledger file.</summary>
    public string? Path { get; }

    /// <summary>The entry sequence number concerned, when known.</summary>
    public long? Seq { get; }

    /// <summary>The byte offset in the ledger file, when known.</summary>
    public long? Offset { get; }
}

/// <summary>Another process held the ledger lock longer than the configured timeout.</summary>
public sealed class LedgerLockTimeoutException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LedgerLockTimeoutException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public LedgerLockTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public LedgerLockTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public LedgerLockTimeoutException(string path, TimeSpan timeout, Exception innerException)
        : base($"{path}: could not take the ledger lock within {timeout.TotalSeconds:0.#} s (another Recorder process holds it)", innerException)
    {
    }
}
