using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Capture.Filtering;
using Recorder.Core.Store;
using Recorder.Index;
using Recorder.Storage.Recovery;
using Recorder.Storage.Store;

namespace Recorder.Cli;

/// <summary>
/// The composition root of the command line: resolves the store directory, opens the store with its
/// real services (RocksDB index, custody ledger, libpcap), and writes output and errors.
/// </summary>
internal sealed class CliContext
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public CliContext(ParseResult parse, Option<string?> storeOption, TextWriter output, TextWriter error)
    {
        Parse = parse;
        Output = output;
        Error = error;
        var given = parse.GetValue(storeOption);
        var fromEnvironment = Environment.GetEnvironmentVariable("RECORDER_STORE");
        StorePath = Path.GetFullPath(!string.IsNullOrEmpty(given) ? given
            : !string.IsNullOrEmpty(fromEnvironment) ? fromEnvironment
            : "recorder-data");
    }

    public ParseResult Parse { get; }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    /// <summary>The store directory: <c>--store</c>, else <c>$RECORDER_STORE</c>, else <c>./recorder-data</c>.</summary>
    public string StorePath { get; }

    public StoreOptions StoreOptions { get; init; } = StoreOptionsFromEnvironment();

    /// <summary>Opens the store (creating it when <paramref name="create"/>) and recovers abandoned sessions.</summary>
    public EvidenceStore OpenStore(bool create)
    {
        var services = new StoreServices
        {
            IndexProvider = new RocksPacketIndexProvider(),
            Options = StoreOptions,
        };
        EvidenceStore store;
        try
        {
            store = create ? EvidenceStore.OpenOrCreate(StorePath, services) : EvidenceStore.Open(StorePath, services);
        }
        catch (StoreException e)
        {
            throw CliException.Usage(e.Message);
        }

        var recovery = new SessionRecovery(store).Run();
        foreach (var file in recovery.Files)
        {
            Error.WriteLine(file.SegmentId is { } id
                ? $"recorder: recovered {file.Packets} packets of an interrupted writer as segment {id}" +
                  (file.CutOffset is { } cut ? $"; cut {file.CutBytes} incomplete bytes at offset {cut} (kept under recovered/)" : string.Empty)
                : $"recorder: an interrupted writer left {file.CutBytes} bytes and no complete packet in {Path.GetFileName(file.File)} (kept under recovered/)");
        }

        return store;
    }

    /// <summary>The BPF compiler, or a usage error explaining how to get libpcap.</summary>
    public static IPacketFilterCompiler RequireBpf()
    {
        if (!PcapFilterCompiler.IsAvailable(out var error))
        {
            throw CliException.Usage(error);
        }

        return new PcapFilterCompiler();
    }

    public void WriteJson(JsonNode node) => Output.WriteLine(node.ToJsonString(JsonOptions));

    private static StoreOptions StoreOptionsFromEnvironment()
    {
        // Small limits for tests and demos without a configuration file.
        var options = new StoreOptions();
        if (long.TryParse(Environment.GetEnvironmentVariable("RECORDER_SEGMENT_MAX_BYTES"), out var bytes))
        {
            options = options with { SegmentMaxBytes = bytes };
        }

        if (double.TryParse(Environment.GetEnvironmentVariable("RECORDER_SEGMENT_MAX_AGE_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out var seconds))
        {
            options = options with { SegmentMaxAge = TimeSpan.FromSeconds(seconds) };
        }

        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage($"RECORDER_SEGMENT_*: {e.Message}");
        }

        return options;
    }
}
