using System.Globalization;
using System.Text;
using Recorder.Ledger.Storage;

namespace Recorder.Ledger.Checkpoints;

/// <summary>
/// The time-stamped checkpoints kept in <c>checkpoints/</c>: for tree size N, <c>N.txt</c> (the exact
/// signed text), <c>N.sig</c> (raw 64-byte Ed25519 signature), <c>N.tsr</c> (DER RFC 3161 response
/// over <c>N.txt</c>) and <c>N.tsa.pem</c> (the certificate to check the response against). Each file
/// is written to a temporary name, fsynced and renamed, then the directory is fsynced; <c>.txt</c>
/// is renamed last, so a checkpoint is listed only once all four files are in place.
/// </summary>
internal sealed class CheckpointStore
{
    private readonly string _directory;

    public CheckpointStore(string ledgerDirectory)
    {
        _directory = Path.Combine(ledgerDirectory, LedgerFiles.CheckpointsDirectory);
    }

    public string Directory => _directory;

    public static string Name(long size, string extension) => size.ToString(CultureInfo.InvariantCulture) + extension;

    /// <summary>Sizes with a complete checkpoint, ascending.</summary>
    public IReadOnlyList<long> Sizes()
    {
        if (!System.IO.Directory.Exists(_directory))
        {
            return [];
        }

        var sizes = new List<long>();
        foreach (var path in System.IO.Directory.EnumerateFiles(_directory, "*.txt"))
        {
            var stem = Path.GetFileNameWithoutExtension(path);
            if (stem.Length is > 0 and <= 19 && stem.All(char.IsAsciiDigit) && (stem.Length == 1 || stem[0] != '0')
                && long.TryParse(stem, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                sizes.Add(size);
            }
        }

        sizes.Sort();
        return sizes;
    }

    public void Write(Checkpoint checkpoint)
    {
        if (checkpoint.TimeStampResponse is null)
        {
            throw new ArgumentException("only time-stamped checkpoints are kept", nameof(checkpoint));
        }

        System.IO.Directory.CreateDirectory(_directory);
        WriteFile(Name(checkpoint.Size, ".sig"), checkpoint.Signature);
        WriteFile(Name(checkpoint.Size, ".tsr"), checkpoint.TimeStampResponse);
        WriteFile(Name(checkpoint.Size, ".tsa.pem"), Encoding.ASCII.GetBytes(checkpoint.TimeStampAuthorityPem ?? string.Empty));
        WriteFile(Name(checkpoint.Size, ".txt"), checkpoint.TextBytes);
        DirectorySync.Sync(_directory);
    }

    /// <summary>The stored files of size <paramref name="size"/>, or null when there is no complete set.</summary>
    public StoredCheckpoint? Read(long size)
    {
        var text = Path.Combine(_directory, Name(size, ".txt"));
        if (!File.Exists(text))
        {
            return null;
        }

        return new StoredCheckpoint(
            size,
            File.ReadAllBytes(text),
            ReadOrNull(Name(size, ".sig")),
            ReadOrNull(Name(size, ".tsr")),
            ReadOrNull(Name(size, ".tsa.pem")) is { } pem ? Encoding.ASCII.GetString(pem) : null);
    }

    private byte[]? ReadOrNull(string name)
    {
        var path = Path.Combine(_directory, name);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    private void WriteFile(string name, byte[] bytes)
    {
        var path = Path.Combine(_directory, name);
        var temporary = path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Environment.CurrentManagedThreadId.ToString(CultureInfo.InvariantCulture);
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>The raw files of one stored checkpoint; any but the text may be missing.</summary>
internal sealed record StoredCheckpoint(long Size, byte[] Text, byte[]? Signature, byte[]? TimeStampResponse, string? AuthorityPem);
