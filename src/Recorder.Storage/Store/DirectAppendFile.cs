using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Recorder.Storage.Store;

/// <summary>
/// A new file appended to through one aligned buffer and, on Linux, written with <c>O_DIRECT</c>:
/// full buffers go from Recorder's memory to the disk without passing through the page cache. On
/// the virtual machines Recorder was measured on, buffered writes of a 2.2 GB segment cost 8 s of
/// kernel time (the page cache's dirty-page throttling and writeback) where direct writes of the
/// same bytes cost 0.4 s and were on disk when they returned; the final flush then has almost
/// nothing left to do.
/// <para>
/// Direct writes need aligned memory, lengths and offsets. Only whole buffers are written that
/// way; the unaligned tail at <see cref="Finish"/> and the partial buffer <see cref="Publish"/>
/// shows to readers are written through the page cache (the flag is cleared for that write), and
/// a later direct write over the same range replaces them with identical bytes. Where the file
/// system or platform refuses <c>O_DIRECT</c> every write is an ordinary one: correctness never
/// depends on it, only speed.
/// </para>
/// Not thread-safe: one writer at a time.
/// </summary>
internal sealed unsafe partial class DirectAppendFile : IDisposable
{
    /// <summary>Alignment of buffer address, lengths and offsets of direct writes (any block size up to 4 KiB).</summary>
    public const int Alignment = 4096;

    private const int GetFlags = 3;
    private const int SetFlags = 4;

    // EINVAL as .NET reports it from a failed write.
    private const int InvalidArgument = 22;

    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private readonly int _capacity;
    private byte* _buffer;
    private int _used;
    private int _published;
    private long _bufferOffset;
    private bool _direct;
    private bool _finished;

    /// <summary>Creates the file (it must not exist).</summary>
    /// <param name="path">The file to create.</param>
    /// <param name="capacity">Buffer size, a multiple of <see cref="Alignment"/>.</param>
    /// <param name="direct">Whether to try <c>O_DIRECT</c> at all.</param>
    public DirectAppendFile(string path, int capacity = 8 * 1024 * 1024, bool direct = true)
    {
        if (capacity <= 0 || capacity % Alignment != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"a positive multiple of {Alignment}");
        }

        _path = path;
        _capacity = capacity;
        _handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        _buffer = (byte*)NativeMemory.AlignedAlloc((nuint)capacity, Alignment);
        _direct = direct && SetDirect(_handle, on: true);
    }

    /// <summary>Whether full buffers are being written with <c>O_DIRECT</c>.</summary>
    public bool IsDirect => _direct;

    /// <summary>Bytes appended so far.</summary>
    public long Length => _bufferOffset + _used;

    /// <summary>Appends <paramref name="bytes"/>, writing each buffer as it fills.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        ThrowIfFinished();
        if (_used == 0 && bytes.Length >= Alignment && IsAligned(bytes))
        {
            // Whole aligned blocks in aligned memory go to the disk as they are, without a copy.
            var whole = bytes.Length / Alignment * Alignment;
            Write(bytes[..whole], _bufferOffset, _direct);
            _bufferOffset += whole;
            bytes = bytes[whole..];
        }

        while (!bytes.IsEmpty)
        {
            var take = Math.Min(bytes.Length, _capacity - _used);
            bytes[..take].CopyTo(new Span<byte>(_buffer + _used, take));
            _used += take;
            bytes = bytes[take..];
            if (_used == _capacity)
            {
                Write(new ReadOnlySpan<byte>(_buffer, _capacity), _bufferOffset, _direct);
                _bufferOffset += _capacity;
                _used = 0;
                _published = 0;
            }
        }
    }

    /// <summary>
    /// Makes every byte appended so far readable by other processes (not yet durable): the partial
    /// buffer is written through the page cache and kept, to be written again, directly, when full.
    /// </summary>
    public void Publish()
    {
        ThrowIfFinished();
        if (_used > _published)
        {
            // Only what the last call did not show: a slow live capture publishes often.
            WriteBuffered(new ReadOnlySpan<byte>(_buffer + _published, _used - _published), _bufferOffset + _published);
            _published = _used;
        }
    }

    /// <summary>Writes what is left, flushes the file to disk (data and size) and closes it.</summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }

        var aligned = _used / Alignment * Alignment;
        if (aligned > 0)
        {
            Write(new ReadOnlySpan<byte>(_buffer, aligned), _bufferOffset, _direct);
        }

        if (_used > aligned)
        {
            WriteBuffered(new ReadOnlySpan<byte>(_buffer + aligned, _used - aligned), _bufferOffset + aligned);
        }

        _bufferOffset += _used;
        _used = 0;
        RandomAccess.FlushToDisk(_handle);
        _finished = true;
        Release();
    }

    /// <summary>Closes the file, finished or not (an unfinished one is the caller's to delete or recover).</summary>
    public void Dispose()
    {
        _finished = true;
        Release();
    }

    private static bool IsAligned(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
        {
            return (nuint)start % Alignment == 0;
        }
    }

    private void Release()
    {
        _handle.Dispose();
        if (_buffer is not null)
        {
            NativeMemory.AlignedFree(_buffer);
            _buffer = null;
        }
    }

    private void ThrowIfFinished()
    {
        if (_finished)
        {
            throw new InvalidOperationException($"{_path}: the file is finished");
        }
    }

    private void Write(ReadOnlySpan<byte> bytes, long offset, bool direct)
    {
        if (!direct)
        {
            RandomAccess.Write(_handle, bytes, offset);
            return;
        }

        try
        {
            RandomAccess.Write(_handle, bytes, offset);
        }
        catch (IOException e) when (e.HResult == InvalidArgument)
        {
            // The file system took the flag but refuses direct writes of this alignment: write
            // normally from now on. Nothing was written by the refused call.
            _direct = false;
            SetDirect(_handle, on: false);
            RandomAccess.Write(_handle, bytes, offset);
        }
    }

    private void WriteBuffered(ReadOnlySpan<byte> bytes, long offset)
    {
        if (_direct)
        {
            SetDirect(_handle, on: false);
        }

        try
        {
            RandomAccess.Write(_handle, bytes, offset);
        }
        finally
        {
            if (_direct)
            {
                SetDirect(_handle, on: true);
            }
        }
    }

    internal static bool SetDirect(SafeFileHandle handle, bool on)
    {
        var flag = DirectFlag();
        if (flag == 0)
        {
            return false;
        }

        try
        {
            var fd = (int)handle.DangerousGetHandle();
            var flags = Fcntl(fd, GetFlags, 0);
            if (flags < 0)
            {
                return false;
            }

            return Fcntl(fd, SetFlags, on ? flags | flag : flags & ~flag) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    // O_DIRECT differs between Linux architectures; elsewhere direct writes are not attempted.
    private static int DirectFlag() => !OperatingSystem.IsLinux() ? 0 : RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 0x4000,
        Architecture.Arm64 => 0x10000,
        _ => 0,
    };

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
