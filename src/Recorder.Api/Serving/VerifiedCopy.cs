using System.Buffers;
using System.Security.Cryptography;
using Recorder.Core.Hashing;

namespace Recorder.Api.Serving;

/// <summary>A file as the ledger recorded it: its size and the SHA-256 of its bytes.</summary>
/// <param name="Path">Where it is kept.</param>
/// <param name="Bytes">Its size when it was recorded.</param>
/// <param name="Sha256">SHA-256 of its bytes when it was recorded (lower-case hex).</param>
internal sealed record RecordedFile(string Path, long Bytes, string Sha256);

/// <summary>What a read of a recorded file actually produced.</summary>
/// <param name="Bytes">Bytes read (at most the recorded size).</param>
/// <param name="Sha256">SHA-256 of exactly those bytes.</param>
/// <param name="Matches">True when they are the recorded size and hash.</param>
internal sealed record ReadOutcome(long Bytes, string Sha256, bool Matches)
{
    /// <summary>The outcome for a file that is not there at all.</summary>
    public static ReadOutcome Missing { get; } = new(0, "none (the file is missing)", false);

    /// <summary>What was found, for messages: the size on disk and the hash of what was read.</summary>
    public string Describe(RecordedFile recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var info = new FileInfo(recorded.Path);
        return info.Exists
            ? $"is {info.Length} bytes with SHA-256 {Sha256} (of its first {Bytes} bytes), {recorded.Bytes} bytes with SHA-256 {recorded.Sha256} when it was recorded"
            : $"is missing; it was recorded as {recorded.Bytes} bytes with SHA-256 {recorded.Sha256}";
    }
}

/// <summary>
/// Copies a recorded file to a writer while hashing exactly the bytes it hands over, and holds back
/// the last buffer until the hash of the whole is known: when the bytes are not the recorded ones,
/// the writer never receives all of them, so a reader (with a Content-Length, or a chunked body that
/// is never terminated) cannot take a changed file for a complete one. A file that grew is read only
/// up to its recorded size; one that shrank is a mismatch.
/// </summary>
internal static class VerifiedCopy
{
    /// <summary>The read buffer (a package zip or a result is read in pieces of this size).</summary>
    public const int BufferBytes = 256 * 1024;

    /// <summary>Hashes the first <see cref="RecordedFile.Bytes"/> bytes of <paramref name="source"/> without sending them.</summary>
    public static Task<ReadOutcome> CheckAsync(Stream source, RecordedFile recorded, CancellationToken cancellationToken) =>
        CopyAsync(source, recorded, null, BufferBytes, cancellationToken);

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="write"/> (null: only hash it), withholding the
    /// last buffer unless the bytes match <paramref name="recorded"/>.
    /// </summary>
    public static async Task<ReadOutcome> CopyAsync(Stream source, RecordedFile recorded, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>? write,
        int bufferBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferBytes, 1);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(bufferBytes);
        try
        {
            long position = 0;
            while (true)
            {
                var wanted = (int)Math.Min(bufferBytes, recorded.Bytes - position);
                var read = wanted == 0 ? 0 : await source.ReadAsync(buffer.AsMemory(0, wanted), cancellationToken).ConfigureAwait(false);
                hash.AppendData(buffer, 0, read);
                position += read;
                if (read == 0 || position == recorded.Bytes)
                {
                    // The end (or the file ended early): the hash is decided before the last bytes go out.
                    var sha = Hex.Lower(hash.GetHashAndReset());
                    var matches = position == recorded.Bytes && sha == recorded.Sha256;
                    if (matches && read > 0 && write is not null)
                    {
                        await write(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }

                    return new ReadOutcome(position, sha, matches);
                }

                if (write is not null)
                {
                    await write(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
