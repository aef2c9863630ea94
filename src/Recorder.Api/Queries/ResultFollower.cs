using System.Buffers;

namespace Recorder.Api.Queries;

/// <summary>
/// Reads a result file while the job still writes it: whatever the file holds is passed on, then
/// the follower waits for more until the final length is known and reached. The file only ever
/// grows (its format is fixed when the job starts), so the bytes passed on equal the final file.
/// </summary>
internal static class ResultFollower
{
    /// <summary>
    /// Copies <paramref name="path"/> to <paramref name="write"/> as it grows. <paramref name="finalLength"/>
    /// returns null while the query runs; <paramref name="wait"/> waits for news.
    /// </summary>
    public static async Task<long> CopyAsync(string path, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, Func<long?> finalLength,
        Func<CancellationToken, Task> wait, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
        await using (file.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
            try
            {
                long position = 0;
                while (true)
                {
                    var read = await file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                    if (read > 0)
                    {
                        await write(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        position += read;
                        continue;
                    }

                    if (finalLength() is { } final && position >= final)
                    {
                        return position;
                    }

                    await wait(cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
