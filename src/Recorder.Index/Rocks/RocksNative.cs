using System.Reflection;
using System.Runtime.InteropServices;

namespace Recorder.Index.Rocks;

/// <summary>
/// The part of RocksDB's C API (rocksdb/c.h) the index uses, bound at compile time. The RocksDB
/// package's own managed wrapper builds ~2 700 dynamic bindings when first touched, which costs
/// about a second per process; a query must start in milliseconds, so the index calls the native
/// library (shipped in that same package) directly.
/// </summary>
/// <remarks>
/// Every declaration follows rocksdb/c.h of the RocksDB build in the package (11.12, git
/// ef3dd12e): <c>size_t</c> is <see cref="nuint"/>, <c>unsigned char</c> booleans are
/// <see cref="byte"/>, <c>char** errptr</c> is <c>out IntPtr</c> (the generated stubs set it to
/// null before the call, as c.h requires). Each was checked against the package's own
/// declarations for this build (RocksDbSharp 11.12's <c>Native</c>, generated from that c.h) and
/// against upstream c.h; where they had changed across versions, against the machine code of
/// the shipped library: <c>rocksdb_enable_file_deletions</c> takes <c>(db, errptr)</c>, its
/// <c>force</c> argument being gone since RocksDB 9. A wrong signature corrupts memory silently:
/// check any addition the same way. Functions returning <c>char*</c> hand over <c>malloc</c>ed
/// memory, released with <see cref="rocksdb_free"/>.
/// </remarks>
internal static unsafe partial class RocksNative
{
    private const string Library = "rocksdb";

    static RocksNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(RocksNative).Assembly, Resolve);
    }

    // Options
    [LibraryImport(Library)] public static partial IntPtr rocksdb_options_create();
    [LibraryImport(Library)] public static partial void rocksdb_options_destroy(IntPtr options);
    [LibraryImport(Library)] public static partial void rocksdb_options_set_create_if_missing(IntPtr options, byte value);
    [LibraryImport(Library)] public static partial void rocksdb_options_set_create_missing_column_families(IntPtr options, byte value);
    [LibraryImport(Library)] public static partial void rocksdb_options_set_keep_log_file_num(IntPtr options, nuint value);
    [LibraryImport(Library)] public static partial void rocksdb_options_set_max_log_file_size(IntPtr options, nuint value);
    [LibraryImport(Library)] public static partial void rocksdb_options_set_recycle_log_file_num(IntPtr options, nuint value);
    [LibraryImport(Library)] public static partial void rocksdb_options_set_skip_stats_update_on_db_open(IntPtr options, byte value);
    [LibraryImport(Library)] public static partial void rocksdb_options_set_max_open_files(IntPtr options, int value);
    // c.h: (rocksdb_options_t*, int); the shipped build stores the int (mov %esi,0x50(%rdi)).
    [LibraryImport(Library)] public static partial void rocksdb_options_set_max_file_opening_threads(IntPtr options, int value);
    [LibraryImport(Library)] public static partial void rocksdb_options_set_atomic_flush(IntPtr options, byte value);
    [LibraryImport(Library)] public static partial void rocksdb_options_set_compression(IntPtr options, int value);
    [LibraryImport(Library)] public static partial void rocksdb_options_set_block_based_table_factory(IntPtr options, IntPtr table);
    [LibraryImport(Library)] public static partial void rocksdb_options_set_prefix_extractor(IntPtr options, IntPtr transform);

    // Block-based tables, caches, prefix extractors
    [LibraryImport(Library)] public static partial IntPtr rocksdb_block_based_options_create();
    [LibraryImport(Library)] public static partial void rocksdb_block_based_options_destroy(IntPtr options);
    [LibraryImport(Library)] public static partial void rocksdb_block_based_options_set_block_size(IntPtr options, nuint size);
    [LibraryImport(Library)] public static partial void rocksdb_block_based_options_set_block_cache(IntPtr options, IntPtr cache);
    [LibraryImport(Library)] public static partial void rocksdb_block_based_options_set_format_version(IntPtr options, int version);
    [LibraryImport(Library)] public static partial IntPtr rocksdb_cache_create_lru(nuint capacity);
    [LibraryImport(Library)] public static partial void rocksdb_cache_destroy(IntPtr cache);
    [LibraryImport(Library)] public static partial IntPtr rocksdb_slicetransform_create_fixed_prefix(nuint length);

    // Opening and closing
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr rocksdb_open_column_families(IntPtr options, string name, int count, IntPtr* names, IntPtr* familyOptions, IntPtr* handles, out IntPtr error);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr rocksdb_open_as_secondary_column_families(IntPtr options, string name, string secondaryPath, int count, IntPtr* names, IntPtr* familyOptions, IntPtr* handles, out IntPtr error);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr rocksdb_list_column_families(IntPtr options, string name, out nuint count, out IntPtr error);

    [LibraryImport(Library)] public static partial void rocksdb_list_column_families_destroy(IntPtr list, nuint count);
    [LibraryImport(Library)] public static partial void rocksdb_column_family_handle_destroy(IntPtr handle);
    [LibraryImport(Library)] public static partial void rocksdb_close(IntPtr db);
    [LibraryImport(Library)] public static partial void rocksdb_try_catch_up_with_primary(IntPtr db, out IntPtr error);

    // File deletions and properties
    [LibraryImport(Library)] public static partial void rocksdb_disable_file_deletions(IntPtr db, out IntPtr error);
    [LibraryImport(Library)] public static partial void rocksdb_enable_file_deletions(IntPtr db, out IntPtr error);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr rocksdb_property_value_cf(IntPtr db, IntPtr family, string name);

    // Reads
    [LibraryImport(Library)] public static partial IntPtr rocksdb_readoptions_create();
    [LibraryImport(Library)] public static partial void rocksdb_readoptions_destroy(IntPtr options);
    [LibraryImport(Library)] public static partial void rocksdb_readoptions_set_iterate_upper_bound(IntPtr options, byte* key, nuint length);
    [LibraryImport(Library)] public static partial void rocksdb_readoptions_set_iterate_lower_bound(IntPtr options, byte* key, nuint length);
    [LibraryImport(Library)] public static partial void rocksdb_readoptions_set_total_order_seek(IntPtr options, byte value);
    [LibraryImport(Library)] public static partial void rocksdb_readoptions_set_prefix_same_as_start(IntPtr options, byte value);
    [LibraryImport(Library)] public static partial void rocksdb_readoptions_set_snapshot(IntPtr options, IntPtr snapshot);
    [LibraryImport(Library)] public static partial IntPtr rocksdb_create_snapshot(IntPtr db);
    [LibraryImport(Library)] public static partial void rocksdb_release_snapshot(IntPtr db, IntPtr snapshot);
    [LibraryImport(Library)] public static partial IntPtr rocksdb_get_cf(IntPtr db, IntPtr options, IntPtr family, byte* key, nuint keyLength, out nuint valueLength, out IntPtr error);
    [LibraryImport(Library)] public static partial IntPtr rocksdb_create_iterator_cf(IntPtr db, IntPtr options, IntPtr family);
    [LibraryImport(Library)] public static partial void rocksdb_iter_destroy(IntPtr iterator);
    [LibraryImport(Library)] public static partial byte rocksdb_iter_valid(IntPtr iterator);
    [LibraryImport(Library)] public static partial void rocksdb_iter_seek_to_first(IntPtr iterator);
    [LibraryImport(Library)] public static partial void rocksdb_iter_seek(IntPtr iterator, byte* key, nuint length);
    [LibraryImport(Library)] public static partial void rocksdb_iter_next(IntPtr iterator);
    [LibraryImport(Library)] public static partial IntPtr rocksdb_iter_key(IntPtr iterator, out nuint length);
    [LibraryImport(Library)] public static partial IntPtr rocksdb_iter_value(IntPtr iterator, out nuint length);
    [LibraryImport(Library)] public static partial void rocksdb_iter_get_error(IntPtr iterator, out IntPtr error);

    // Writes
    [LibraryImport(Library)] public static partial IntPtr rocksdb_writeoptions_create();
    [LibraryImport(Library)] public static partial void rocksdb_writeoptions_destroy(IntPtr options);
    [LibraryImport(Library)] public static partial void rocksdb_writeoptions_set_sync(IntPtr options, byte value);
    [LibraryImport(Library)] public static partial IntPtr rocksdb_writebatch_create();
    [LibraryImport(Library)] public static partial int rocksdb_writebatch_count(IntPtr batch);
    [LibraryImport(Library)] public static partial void rocksdb_writebatch_destroy(IntPtr batch);
    [LibraryImport(Library)] public static partial void rocksdb_writebatch_clear(IntPtr batch);
    [LibraryImport(Library)] public static partial void rocksdb_writebatch_put_cf(IntPtr batch, IntPtr family, byte* key, nuint keyLength, byte* value, nuint valueLength);
    [LibraryImport(Library)] public static partial void rocksdb_writebatch_delete_cf(IntPtr batch, IntPtr family, byte* key, nuint keyLength);
    [LibraryImport(Library)] public static partial void rocksdb_write(IntPtr db, IntPtr options, IntPtr batch, out IntPtr error);

    // Flush and compaction
    [LibraryImport(Library)] public static partial IntPtr rocksdb_flushoptions_create();
    [LibraryImport(Library)] public static partial void rocksdb_flushoptions_destroy(IntPtr options);
    [LibraryImport(Library)] public static partial void rocksdb_flushoptions_set_wait(IntPtr options, byte value);
    [LibraryImport(Library)] public static partial void rocksdb_flush_cfs(IntPtr db, IntPtr options, IntPtr* families, int count, out IntPtr error);
    [LibraryImport(Library)] public static partial void rocksdb_compact_range_cf(IntPtr db, IntPtr family, byte* start, nuint startLength, byte* limit, nuint limitLength);

    [LibraryImport(Library)] public static partial void rocksdb_free(IntPtr pointer);

    /// <summary>Throws <see cref="RocksDbException"/> when a C API call reported an error (and frees the message).</summary>
    public static void Check(IntPtr error)
    {
        if (error != IntPtr.Zero)
        {
            throw new RocksDbException(TakeString(error));
        }
    }

    /// <summary>Reads a <c>malloc</c>ed UTF-8 string returned by RocksDB and frees it.</summary>
    public static string TakeString(IntPtr text)
    {
        try
        {
            return Marshal.PtrToStringUTF8(text) ?? string.Empty;
        }
        finally
        {
            rocksdb_free(text);
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library)
        {
            return IntPtr.Zero;
        }

        // The package ships runtimes/<rid>/native/librocksdb.so; a RID-specific build copies it next
        // to the application, a portable one leaves it under runtimes/.
        var rid = RuntimeInformation.RuntimeIdentifier;
        var architecture = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "arm64" : "x64";
        var fileName = OperatingSystem.IsMacOS() ? "librocksdb.dylib" : OperatingSystem.IsWindows() ? "rocksdb.dll" : "librocksdb.so";
        var os = OperatingSystem.IsMacOS() ? "osx" : OperatingSystem.IsWindows() ? "win" : "linux";
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, fileName),
            Path.Combine(AppContext.BaseDirectory, "runtimes", $"{os}-{architecture}", "native", fileName),
            Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", fileName),
        ];
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }

        return NativeLibrary.TryLoad(fileName, assembly, searchPath, out var fallback) ? fallback : IntPtr.Zero;
    }
}
