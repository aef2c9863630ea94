using Recorder.Capture.Filtering;
using Recorder.Core.Query;
using Recorder.Index;
using Recorder.Storage.Import;
using Recorder.Storage.Query;
using Recorder.Storage.Store;
using Recorder.TestSupport;

namespace Recorder.Storage.Tests;

/// <summary>A real store (real RocksDB index) in a temp directory.</summary>
internal sealed class TestStore : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-store");

    public TestStore(StoreOptions? options = null)
    {
        Options = options ?? new StoreOptions();
        Store = EvidenceStore.OpenOrCreate(Path.Combine(_directory.Path, "store"), Services(Options));
    }

    public StoreOptions Options { get; }

    public EvidenceStore Store { get; private set; }

    public string WorkDirectory => _directory.Path;

    /// <summary>What the store recorded (every store has a journal; here an in-memory one).</summary>
    public MemoryJournal Journal { get; } = new();

    public StoreServices Services(StoreOptions options) => new() { IndexProvider = new RocksPacketIndexProvider(), Options = options, JournalFactory = _ => Journal };

    public string File(string name) => _directory.File(name);

    public ImportResult Import(params string[] files) => Import(new ImportOptions(), files);

    public ImportResult Import(ImportOptions options, params string[] files) => new CaptureImporter(Store).Import(files, options);

    public string WriteCapture(string name, IEnumerable<TestPacket> packets, Core.Formats.CaptureFileFormat format = Core.Formats.CaptureFileFormat.Pcap)
    {
        var path = File(name);
        CaptureFiles.Write(path, packets, format);
        return path;
    }

    public (OutputFile Output, QueryRun Run) Query(PacketQuery query, bool pcapng = false)
    {
        var path = File($"out-{Guid.NewGuid():N}.pcap");
        var executor = new QueryExecutor(Store, PcapFilterCompiler.IsAvailable(out _) ? new PcapFilterCompiler() : null);
        using var output = new CaptureFileOutput(path, pcapng, "tests");
        var run = executor.Execute(query, executor.Snapshot(query), output);
        return (output.Complete(), run);
    }

    public List<TestPacket> QueryPackets(PacketQuery query) => CaptureFiles.Read(Query(query).Output.Path);

    public void Reopen()
    {
        Store.Dispose();
        Store = EvidenceStore.Open(Store.Layout.Root, Services(Options));
    }

    public void Dispose()
    {
        Store.Dispose();
        _directory.Dispose();
    }
}
