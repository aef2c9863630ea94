using Recorder.Application;
using Recorder.Core.Store;
using Recorder.Index;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Journal;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;

namespace Recorder.Cli.Tests.Crash;

/// <summary>Thrown by <see cref="CrashAt"/>: the process "dies" at a seal step.</summary>
public sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException()
    {
    }

    public SimulatedCrashException(string message)
        : base(message)
    {
    }

    public SimulatedCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Crashes at the <c>occurrence</c>-th time <c>step</c> is reached, and remembers which segment it was.</summary>
internal sealed class CrashAt(SealStep step, int occurrence) : ISealFaults
{
    private int _seen;

    public long? CrashedSegment { get; private set; }

    public void Reached(SealStep reached, long segmentId)
    {
        if (reached == step && ++_seen == occurrence)
        {
            CrashedSegment = segmentId;
            throw new SimulatedCrashException($"crash after {step} of segment {segmentId}");
        }
    }
}

/// <summary>Stops the writer at a seal step until the test lets it go (to run something beside it at exactly that point).</summary>
internal sealed class PauseAt(SealStep step, int occurrence) : ISealFaults, IDisposable
{
    private readonly ManualResetEventSlim _reached = new();
    private readonly ManualResetEventSlim _release = new();
    private int _seen;

    public void Reached(SealStep reached, long segmentId)
    {
        if (reached == step && Interlocked.Increment(ref _seen) == occurrence)
        {
            _reached.Set();
            _release.Wait();
        }
    }

    public bool WaitUntilReached(TimeSpan timeout) => _reached.Wait(timeout);

    public void Release() => _release.Set();

    public void Dispose()
    {
        _release.Set();
        _reached.Dispose();
        _release.Dispose();
    }
}

/// <summary>Stores opened as the hosts open them (RocksDB index, custody ledger), with a fault seam.</summary>
internal static class FaultyStore
{
    /// <summary>Small segments and no verbatim copies: an import of a few thousand packets makes several segments.</summary>
    public static StoreAccessOptions Options { get; } = new()
    {
        Store = new StoreOptions { SegmentMaxBytes = 128 * 1024, ImportVerbatim = false, LockTimeout = TimeSpan.FromMinutes(1) },
    };

    public static EvidenceStore Open(string path, ISealFaults faults)
    {
        var services = new StoreServices
        {
            IndexProvider = new RocksPacketIndexProvider(),
            Options = Options.Store,
            Clock = Options.Clock,
            JournalFactory = store => new LedgerJournal(StoreAccess.LedgerSettings(store, Options)),
            SealFaults = faults,
        };
        var store = EvidenceStore.OpenOrCreate(path, services);
        StoreAccess.Journal(store).EnsureOpen();
        return store;
    }

    /// <summary>Every step of the seal protocol, by name (xUnit theories take public types).</summary>
    public static TheoryData<string> Steps()
    {
        var data = new TheoryData<string>();
        foreach (var step in Enum.GetNames<SealStep>())
        {
            data.Add(step);
        }

        return data;
    }

    /// <summary>The ledger entries naming each sealed segment (segment.sealed or recovery.segment-recovered).</summary>
    public static Dictionary<long, List<LedgerEntry>> SealEntries(EvidenceStore store) =>
        StoreAccess.Journal(store).Ledger.Read()
            .Where(e => e.Action is LedgerActions.SegmentSealed or "recovery.segment-recovered" && e.Subjects["segmentId"] is not null)
            .GroupBy(e => e.Subjects["segmentId"]!.GetValue<long>())
            .ToDictionary(g => g.Key, g => g.ToList());
}
