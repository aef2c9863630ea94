using Microsoft.Win32.SafeHandles;

namespace Recorder.Ledger.Storage;

/// <summary>Receives one complete line (without its newline) and the byte offset where it starts; false stops the scan.</summary>
internal delegate bool LineHandler(long offset, ReadOnlySpan<byte> line);

/// <summary>
/// Reads a region of <c>ledger.jsonl</c> in large chunks and hands out its complete lines without
/// copying them. Bytes after the last newline are the tail: an incomplete line.
/// </summary>
internal static class LineScanner
{
    /// <summary>No line of a valid ledger comes near this; a longer one is reported as corrupt.</summary>
    public const int MaxLine = 64 << 20;

    private const int ChunkSize = 1 << 20;

    /// <summary>Scans [<paramref name="start"/>, <paramref name="end"/>); returns where the incomplete tail starts (= end when there is none), or where the handler stopped.</summary>
    public static long Scan(SafeFileHandle file, long start, long end, LineHandler handler)
    {
        var buffer = new byte[ChunkSize];
        var filled = 0;          // bytes in buffer
        var bufferStart = start; // file offset of buffer[0]
        var position = start;    // next file offset to read
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length >= MaxLine)
                {
                    throw new LedgerIntegrityException(LedgerFiles.Ledger, null, bufferStart, $"a line longer than {MaxLine} bytes");
                }

                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var want = (int)Math.Min(buffer.Length - filled, end - position);
            var read = want > 0 ? RandomAccess.Read(file, buffer.AsSpan(filled, want), position) : 0;
            position += read;
            filled += read;
            var span = buffer.AsSpan(0, filled);
            var consumed = 0;
            while (true)
            {
                var newline = span[consumed..].IndexOf((byte)'\n');
                if (newline < 0)
                {
                    break;
                }

                if (!handler(bufferStart + consumed, span.Slice(consumed, newline)))
                {
                    return bufferStart + consumed;
                }

                consumed += newline + 1;
            }

            if (read == 0)
            {
                return bufferStart + consumed;
            }

            // Keep the partial line at the front of the buffer.
            span[consumed..].CopyTo(buffer);
            filled -= consumed;
            bufferStart += consumed;
        }
    }

    /// <summary>The complete lines of [<paramref name="start"/>, <paramref name="end"/>), each copied, read lazily in large chunks.</summary>
    public static IEnumerable<(long Offset, byte[] Line)> EnumerateLines(SafeFileHandle file, long start, long end)
    {
        var buffer = new byte[ChunkSize];
        var filled = 0;
        var bufferStart = start;
        var position = start;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length >= MaxLine)
                {
                    throw new LedgerIntegrityException(LedgerFiles.Ledger, null, bufferStart, $"a line longer than {MaxLine} bytes");
                }

                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var want = (int)Math.Min(buffer.Length - filled, end - position);
            var read = want > 0 ? RandomAccess.Read(file, buffer.AsSpan(filled, want), position) : 0;
            position += read;
            filled += read;
            var consumed = 0;
            var lines = new List<(long, byte[])>();
            while (true)
            {
                var newline = buffer.AsSpan(consumed, filled - consumed).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    break;
                }

                lines.Add((bufferStart + consumed, buffer.AsSpan(consumed, newline).ToArray()));
                consumed += newline + 1;
            }

            foreach (var line in lines)
            {
                yield return line;
            }

            if (read == 0)
            {
                yield break;
            }

            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
            bufferStart += consumed;
        }
    }

    /// <summary>Reads the line that starts at <paramref name="offset"/> (without its newline); null if no newline ends it before <paramref name="end"/>.</summary>
    public static byte[]? ReadLine(SafeFileHandle file, long offset, long end)
    {
        var buffer = new byte[1024];
        var filled = 0;
        while (true)
        {
            var want = (int)Math.Min(buffer.Length - filled, end - offset - filled);
            if (want <= 0 && filled < buffer.Length)
            {
                return null;
            }

            var read = RandomAccess.Read(file, buffer.AsSpan(filled, want), offset + filled);
            if (read == 0)
            {
                return null;
            }

            var newline = buffer.AsSpan(filled, read).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return buffer.AsSpan(0, filled + newline).ToArray();
            }

            filled += read;
            if (filled == buffer.Length)
            {
                if (buffer.Length >= MaxLine)
                {
                    return null;
                }

                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }
    }
}
