namespace Recorder.Application.Packaging;

/// <summary>A package that cannot be built: unknown or incomplete query, changed extraction, mixed cases.</summary>
public sealed class PackageException : Exception
{
    /// <summary>A refusal with no message (serialization and tooling only: a refusal should say why).</summary>
    public PackageException()
    {
    }

    /// <summary>A refusal; <paramref name="message"/> is the one line the CLI prints and the API's problem detail.</summary>
    public PackageException(string message)
        : base(message)
    {
    }

    /// <summary>
    /// The file extraction the request named that is at fault (not in the ledger, or of another case),
    /// so that a caller can point at it; null when the refusal is not about one such id.
    /// </summary>
    public string? FileExtractionId { get; init; }

    /// <summary>A refusal caused by <paramref name="innerException"/> (an unreadable file, a failed check).</summary>
    public PackageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
