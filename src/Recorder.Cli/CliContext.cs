using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Capture.Filtering;
using Recorder.Core.Store;
using Recorder.Application;
using Recorder.Ledger;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Journal;
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

    private static readonly JsonSerializerOptions JsonLineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

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

    /// <summary>
    /// Opens the store (creating it when <paramref name="create"/>) with its index and ledger, and
    /// reports any recovery of abandoned writers on stderr. With <paramref name="ledgerOnDemand"/>
    /// the command still runs when the ledger is damaged (verify).
    /// </summary>
    public EvidenceStore OpenStore(bool create, bool ledgerOnDemand = false)
    {
        OpenedStore opened;
        try
        {
            opened = StoreAccess.Open(StorePath, create, AccessOptions(), ledgerOnDemand);
        }
        catch (StoreException e)
        {
            throw CliException.Usage(e.Message);
        }
        catch (LedgerIntegrityException e)
        {
            throw new CliException(ExitCodes.Problem, $"the custody ledger is damaged, so nothing can be recorded: {e.Message} (run recorder verify)");
        }

        foreach (var file in opened.Recovery.Files)
        {
            Error.WriteLine(file.SegmentId is { } id
                ? $"recorder: recovered {file.Packets} packets of an interrupted writer as segment {id}" +
                  (file.CutOffset is { } cut ? $"; cut {file.CutBytes} incomplete bytes at offset {cut} (kept under recovered/)" : string.Empty)
                : $"recorder: an interrupted writer left {file.CutBytes} bytes and no complete packet in {Path.GetFileName(file.File)} (kept under recovered/)");
        }

        return opened.Store;
    }

    /// <summary>How the CLI opens stores: the OS user acts; RECORDER_TSA_URL (and RECORDER_TSA_CERT) name an external authority.</summary>
    public StoreAccessOptions AccessOptions()
    {
        var url = Environment.GetEnvironmentVariable("RECORDER_TSA_URL");
        return new StoreAccessOptions
        {
            Store = StoreOptions,
            Actor = LedgerActor.CurrentOsUser(),
            TimeStampAuthority = string.IsNullOrEmpty(url) ? null : new Uri(url),
            TimeStampAuthorityCertificate = Environment.GetEnvironmentVariable("RECORDER_TSA_CERT") is { Length: > 0 } cert ? cert : null,
        };
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

    /// <summary>Writes <paramref name="node"/> on one line (JSON Lines: a long-running command's events, each readable as it comes).</summary>
    public void WriteJsonLine(JsonNode node)
    {
        Output.WriteLine(node.ToJsonString(JsonLineOptions));
        Output.Flush();
    }

    /// <summary>The store's ledger journal.</summary>
    public static LedgerJournal Journal(EvidenceStore store) => StoreAccess.Journal(store);

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
