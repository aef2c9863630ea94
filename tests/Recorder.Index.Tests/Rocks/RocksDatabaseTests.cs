using System.Text;
using Recorder.Index.Rocks;

namespace Recorder.Index.Tests.Rocks;

/// <summary>The RocksDB C API binding on its own: errors, bounds, lifetimes, ownership.</summary>
public sealed class RocksDatabaseTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string DbPath => _temp.Sub("db");

    private static byte[] B(string text) => Encoding.ASCII.GetBytes(text);

    private static string S(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes);

    /// <summary>Opens <see cref="DbPath"/> for writing with a default family and "data" (prefix extractor of <paramref name="prefix"/> bytes when given); the options are disposed before it returns.</summary>
    private RocksDatabase OpenWriter(int prefix = 0)
    {
        using var options = new RocksOptions().CreateIfMissing().CreateMissingColumnFamilies();
        using var defaults = new RocksOptions();
        using var data = new RocksOptions();
        if (prefix > 0)
        {
            data.FixedPrefix(prefix);
        }

        return RocksDatabase.Open(options, DbPath, [("default", defaults), ("data", data)]);
    }

    private static RocksColumnFamily Data(RocksDatabase db)
    {
        Assert.True(db.TryGetColumnFamily("data", out var family));
        return family;
    }

    private static void Put(RocksDatabase db, params string[] keys)
    {
        using var batch = new RocksWriteBatch();
        foreach (var key in keys)
        {
            batch.Put(Data(db), B(key), B("v-" + key));
        }

        db.Write(batch, sync: false);
    }

    private static List<string> Keys(RocksIterator iterator)
    {
        var keys = new List<string>();
        for (; iterator.Valid; iterator.Next())
        {
            keys.Add(S(iterator.Key));
        }

        return keys;
    }

    [Fact]
    public void Open_WhileAnotherInstanceHoldsTheLock_ThrowsRocksDbExceptionWithRocksDbsText()
    {
        using var first = OpenWriter();

        var e = Assert.Throws<RocksDbException>(() => OpenWriter());

        Assert.Contains("lock", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(Path.Combine(DbPath, "LOCK"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListColumnFamilies_WhereThereIsNoDatabase_ThrowsRocksDbExceptionNamingTheFile()
    {
        Directory.CreateDirectory(DbPath);
        using var options = new RocksOptions();

        var e = Assert.Throws<RocksDbException>(() => RocksDatabase.ListColumnFamilies(options, DbPath));

        Assert.Contains("CURRENT", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListColumnFamilies_OfADatabase_NamesEveryFamily()
    {
        using (OpenWriter())
        {
        }

        using var options = new RocksOptions();

        Assert.Equal(["default", "data"], RocksDatabase.ListColumnFamilies(options, DbPath));
    }

    [Fact]
    public void Get_ReturnsTheValue_AnEmptyValue_OrNullWhenAbsent()
    {
        using var db = OpenWriter();
        using (var batch = new RocksWriteBatch())
        {
            batch.Put(Data(db), B("k"), B("value")).Put(Data(db), B("empty"), []);
            Assert.Equal(2, batch.Count);
            db.Write(batch, sync: true);
        }

        Assert.Equal("value", S(db.Get(Data(db), B("k"))));
        Assert.Equal(Array.Empty<byte>(), db.Get(Data(db), B("empty")));
        Assert.Null(db.Get(Data(db), B("missing")));
    }

    [Fact]
    public void Iterator_StaysWithinItsBounds_WhicheverWayItIsPositioned()
    {
        using var db = OpenWriter();
        Put(db, "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9");
        var options = new RocksIteratorOptions { LowerBound = B("k3"), UpperBound = B("k7"), TotalOrderSeek = true };

        using var iterator = db.NewIterator(Data(db), options);
        iterator.SeekToFirst();
        var fromFirst = Keys(iterator);
        iterator.Seek(B("k0"));
        var fromBelow = Keys(iterator);
        iterator.Seek(B("k5"));
        var fromInside = Keys(iterator);
        iterator.Seek(B("k8"));

        Assert.Equal(["k3", "k4", "k5", "k6"], fromFirst);
        Assert.Equal(["k3", "k4", "k5", "k6"], fromBelow);
        Assert.Equal(["k5", "k6"], fromInside);
        Assert.False(iterator.Valid);
    }

    [Fact]
    public void Iterator_CopiesItsBounds_SoTheCallersArraysMayChangeOrGo()
    {
        using var db = OpenWriter();
        Put(db, "a", "b", "c", "d", "e");
        var lower = B("b");
        var upper = B("d");
        using var iterator = db.NewIterator(Data(db), new RocksIteratorOptions { LowerBound = lower, UpperBound = upper, TotalOrderSeek = true });

        lower[0] = (byte)'a';
        upper[0] = (byte)'z';
        GC.Collect();
        GC.WaitForPendingFinalizers();
        iterator.SeekToFirst();

        Assert.Equal(["b", "c"], Keys(iterator));
    }

    [Fact]
    public void Iterator_WithAPrefixExtractor_StopsWhereThePrefixChanges_AfterTheOptionsWereDisposed()
    {
        // OpenWriter disposes the options (and so its reference to the prefix extractor) before
        // returning: the database must hold its own.
        using var db = OpenWriter(prefix: 2);
        Put(db, "aa1", "aa2", "ab1", "ab2");

        using var samePrefix = db.NewIterator(Data(db), new RocksIteratorOptions { PrefixSameAsStart = true });
        samePrefix.Seek(B("aa"));
        var prefixed = Keys(samePrefix);
        using var totalOrder = db.NewIterator(Data(db), new RocksIteratorOptions { TotalOrderSeek = true });
        totalOrder.Seek(B("aa"));

        Assert.Equal(["aa1", "aa2"], prefixed);
        Assert.Equal(["aa1", "aa2", "ab1", "ab2"], Keys(totalOrder));
    }

    [Fact]
    public void Dispose_WhileAnIteratorIsOpen_ClosesTheDatabaseOnlyWhenTheIteratorIsDisposed()
    {
        var db = OpenWriter();
        Put(db, "x1", "x2", "x3");
        var iterator = db.NewIterator(Data(db), new RocksIteratorOptions { TotalOrderSeek = true });

        db.Dispose();

        // Still open: the lock is held and the iterator reads valid memory.
        Assert.Throws<RocksDbException>(() => OpenWriter().Dispose());
        iterator.SeekToFirst();
        Assert.Equal(["x1", "x2", "x3"], Keys(iterator));
        Assert.Throws<ObjectDisposedException>(() => db.Get(Data(db), B("x1")));

        iterator.Dispose();

        using var reopened = OpenWriter();
        Assert.Equal("v-x2", S(reopened.Get(Data(reopened), B("x2"))));
        Assert.Throws<ObjectDisposedException>(() => iterator.SeekToFirst());
    }

    [Fact]
    public void Snapshot_KeepsItsView_ForGetsAndForIteratorsThatOutliveIt()
    {
        using var db = OpenWriter();
        Put(db, "a");
        RocksIterator iterator;
        using (var snapshot = db.CreateSnapshot())
        {
            Put(db, "b");

            Assert.Equal("v-a", S(db.Get(Data(db), B("a"), snapshot)));
            Assert.Null(db.Get(Data(db), B("b"), snapshot));
            Assert.Equal("v-b", S(db.Get(Data(db), B("b"))));
            iterator = db.NewIterator(Data(db), new RocksIteratorOptions { TotalOrderSeek = true, Snapshot = snapshot });
        }

        Put(db, "c");
        using (iterator)
        {
            iterator.SeekToFirst();
            Assert.Equal(["a"], Keys(iterator));
        }
    }

    [Fact]
    public void Reads_ThroughADisposedSnapshot_Throw_AndLeaveTheDatabaseFreeToClose()
    {
        var db = OpenWriter();
        Put(db, "a");
        var snapshot = db.CreateSnapshot();
        snapshot.Dispose();

        Assert.Throws<ObjectDisposedException>(() => db.Get(Data(db), B("a"), snapshot));
        Assert.Throws<ObjectDisposedException>(() => db.NewIterator(Data(db), new RocksIteratorOptions { Snapshot = snapshot }));
        db.Dispose();

        // Nothing kept the database open: its lock is free.
        using var reopened = OpenWriter();
        Assert.Equal("v-a", S(reopened.Get(Data(reopened), B("a"))));
    }

    [Fact]
    public void Calls_WithAColumnFamilyOrSnapshotOfAnotherDatabase_AreRefused()
    {
        using var db = OpenWriter();
        using var otherOptions = new RocksOptions().CreateIfMissing();
        using var otherDefaults = new RocksOptions();
        using var other = RocksDatabase.Open(otherOptions, _temp.Sub("other"), [("default", otherDefaults)]);
        Assert.True(other.TryGetColumnFamily("default", out var foreign));
        using var foreignSnapshot = other.CreateSnapshot();

        Assert.Throws<ArgumentException>(() => db.Get(foreign, B("k")));
        Assert.Throws<ArgumentException>(() => db.NewIterator(foreign));
        Assert.Throws<ArgumentException>(() => db.Get(Data(db), B("k"), foreignSnapshot));
        Assert.Throws<ArgumentException>(() => db.Flush([foreign]));
    }

    [Fact]
    public void FileDeletions_WhileDisabled_KeepObsoleteTableFiles_AndEnablingDeletesThem()
    {
        // Overlapping files, so that the compaction merges them (instead of moving them down as they are).
        using var db = OpenWriter();
        Put(db, "a", "c");
        db.Flush([Data(db)]);
        Put(db, "b", "d");
        db.Flush([Data(db)]);
        var beforeCompaction = TableFiles();
        Assert.Equal(2, beforeCompaction.Count);

        db.DisableFileDeletions();
        db.CompactAll(Data(db));
        var whileDisabled = TableFiles();
        db.EnableFileDeletions();
        var afterEnabling = TableFiles();

        Assert.True(beforeCompaction.IsSubsetOf(whileDisabled), "compaction inputs were deleted while deletions were disabled");
        Assert.Equal(3, whileDisabled.Count);
        Assert.Single(afterEnabling);
        Assert.False(afterEnabling.Overlaps(beforeCompaction));
    }

    [Fact]
    public void GetProperty_ReturnsRocksDbsValue_OrNullForAnUnknownName()
    {
        using var db = OpenWriter();
        Put(db, "a", "b");
        db.Flush([Data(db)]);
        var onDisk = TableFiles().Sum(f => new FileInfo(Path.Combine(DbPath, f)).Length);

        Assert.Equal(onDisk.ToString(System.Globalization.CultureInfo.InvariantCulture), db.GetProperty(Data(db), "rocksdb.total-sst-files-size"));
        Assert.Null(db.GetProperty(Data(db), "rocksdb.no-such-property"));
    }

    [Fact]
    public void Secondary_SeesWhatWasWrittenBeforeItOpened_AndMoreAfterCatchingUp()
    {
        using var writer = OpenWriter();
        Put(writer, "a");
        writer.Flush([Data(writer)]);
        using var options = new RocksOptions().MaxOpenFiles(-1);
        using var defaults = new RocksOptions();
        using var data = new RocksOptions();
        using var reader = RocksDatabase.OpenAsSecondary(options, DbPath, _temp.Sub("secondary"), [("default", defaults), ("data", data)]);
        Put(writer, "b");

        Assert.True(reader.IsSecondary);
        Assert.Equal("v-a", S(reader.Get(Data(reader), B("a"))));
        Assert.Null(reader.Get(Data(reader), B("b")));

        reader.CatchUpWithPrimary();

        Assert.Equal("v-b", S(reader.Get(Data(reader), B("b"))));
    }

    [Fact]
    public void Options_AfterDispose_ThrowInsteadOfPassingANullPointer()
    {
        var options = new RocksOptions();
        options.Dispose();
        var batch = new RocksWriteBatch();
        batch.Dispose();

        Assert.Throws<ObjectDisposedException>(() => options.CreateIfMissing());
        Assert.Throws<ObjectDisposedException>(() => RocksDatabase.ListColumnFamilies(options, DbPath));
        Assert.Throws<ObjectDisposedException>(() => batch.Count);
    }

    private HashSet<string> TableFiles() =>
        [.. Directory.EnumerateFiles(DbPath, "*.sst").Select(f => Path.GetFileName(f)!)];
}
