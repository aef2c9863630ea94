using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Recorder.Core.Hashing;
using Recorder.Core.Store;
using Recorder.Ledger.Checkpoints;
using Recorder.Ledger.Entries;
using Recorder.Signing.TimeStamping;

namespace Recorder.Ledger.Journal;

/// <summary>Where a store's ledger lives and how it is signed and time-stamped.</summary>
public sealed record LedgerJournalSettings
{
    /// <summary>The ledger directory (<c>STORE/ledger</c>).</summary>
    public required string Directory { get; init; }

    /// <summary>The checkpoint origin line, e.g. <c>recorder.store/&lt;storeId&gt;</c>.</summary>
    public required string Origin { get; init; }

    /// <summary>The store key: signs heads and checkpoints.</summary>
    public required ISigner Signer { get; init; }

    /// <summary>The clock.</summary>
    public required TimeProvider Clock { get; init; }

    /// <summary>Who acts in this process (the OS user for the CLI, an authenticated user per request for the service).</summary>
    public required LedgerActor Actor { get; init; }

    /// <summary>Directory of the built-in time-stamp authority's key and certificate (<c>STORE/keys/tsa</c>).</summary>
    public required string BuiltInAuthorityDirectory { get; init; }

    /// <summary>An external RFC 3161 authority's URL; when set it replaces the built-in one.</summary>
    public Uri? ExternalAuthority { get; init; }

    /// <summary>The external authority's certificate (PEM file) its answers are checked against.</summary>
    public string? ExternalAuthorityCertificate { get; init; }

    /// <summary>How often the ledger asks for a time-stamped checkpoint by itself.</summary>
    public TimeSpan? TimeStampInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long disposing the journal waits for an automatic time-stamp still being made, so a
    /// short command that started one ends with a kept checkpoint or a recorded failure. Default
    /// 35 s: an external authority's 30 s timeout plus recording the outcome.
    /// </summary>
    public TimeSpan TimeStampShutdownWait { get; init; } = TimeSpan.FromSeconds(35);
}

/// <summary>
/// The store's custody journal on top of the <see cref="CustodyLedger"/>: every <see cref="CustodyEvent"/>
/// becomes a durable ledger entry under this process's actor. The ledger is opened on first use
/// (so a command that only reads can still run when the ledger is damaged, and say so), and the
/// built-in time-stamp authority's key creation is itself recorded. Disposing it waits (boundedly)
/// for an automatic time-stamp in progress; it closes nothing, the ledger holds no file open.
/// </summary>
public sealed class LedgerJournal : ICustodyJournal, IDisposable
{
    private readonly LedgerJournalSettings _settings;
    private readonly Lock _gate = new();
    private CustodyLedger? _ledger;
    private ITimeStampAuthority? _authority;
    private string? _createdAuthorityCertificate;

    /// <summary>Creates the journal; nothing is opened yet.</summary>
    public LedgerJournal(LedgerJournalSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
    }

    /// <summary>Who acts through this journal.</summary>
    public LedgerActor Actor => _settings.Actor;

    /// <summary>The ledger (opened on first access).</summary>
    /// <exception cref="LedgerIntegrityException">The ledger is damaged; nothing can be appended to it.</exception>
    public CustodyLedger Ledger
    {
        get
        {
            lock (_gate)
            {
                return _ledger ??= OpenLedger();
            }
        }
    }

    /// <summary>The time-stamp authority in use.</summary>
    public ITimeStampAuthority Authority
    {
        get
        {
            lock (_gate)
            {
                return _authority ??= CreateAuthority();
            }
        }
    }

    /// <summary>The certificate time-stamps are checked against (the built-in authority's, or the configured external one's).</summary>
    public X509Certificate2? AuthorityCertificate()
    {
        var pem = Authority switch
        {
            BuiltInTimeStampAuthority builtIn => builtIn.CertificatePem,
            _ when _settings.ExternalAuthorityCertificate is not null => File.ReadAllText(_settings.ExternalAuthorityCertificate),
            _ => null,
        };
        return pem is null ? null : TimeStampVerifier.LoadCertificatePem(pem);
    }

    /// <summary>The built-in authority's certificate without opening the ledger (for offline verification).</summary>
    public static X509Certificate2? BuiltInCertificate(string builtInAuthorityDirectory)
    {
        var path = Path.Combine(builtInAuthorityDirectory, BuiltInTimeStampAuthority.CertificateFileName);
        return File.Exists(path) ? TimeStampVerifier.LoadCertificatePem(File.ReadAllText(path)) : null;
    }

    /// <summary>Opens the ledger now (for commands that must not act unless they can record).</summary>
    public void EnsureOpen() => _ = Ledger;

    /// <inheritdoc />
    public long Record(CustodyEvent custodyEvent)
    {
        ArgumentNullException.ThrowIfNull(custodyEvent);
        LedgerActions.EnsureKnown(custodyEvent.Action);
        var entry = Ledger.Append(new LedgerDraft(custodyEvent.Action)
        {
            Actor = _settings.Actor,
            Subjects = custodyEvent.Subjects,
            Hashes = custodyEvent.Hashes,
            Details = custodyEvent.Details,
            Case = custodyEvent.Case,
            Reason = custodyEvent.Reason,
        });
        return entry.Seq;
    }

    /// <inheritdoc />
    public IEnumerable<CustodyEvent> Recorded(string action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Ledger.Read(new LedgerFilter { Actions = [action] })
            .Select(e => new CustodyEvent(e.Action, e.Subjects, e.Hashes, e.Details, e.Case, e.Reason));
    }

    /// <summary>A signed, RFC 3161 time-stamped checkpoint of the ledger as it is now (waits for the authority).</summary>
    public Checkpoint Checkpoint() => Ledger.Checkpoint(timeStamp: true);

    /// <summary>
    /// Waits up to <see cref="LedgerJournalSettings.TimeStampShutdownWait"/> for an automatic
    /// time-stamp in progress. If it does not end in time the process may exit without it: nothing
    /// is half-written (checkpoint files are renamed into place) and the next process to append
    /// finds the time-stamp still due and makes it.
    /// </summary>
    public void Dispose()
    {
        CustodyLedger? ledger;
        lock (_gate)
        {
            ledger = _ledger;
        }

        ledger?.WaitForAutomaticTimeStamp(_settings.TimeStampShutdownWait);
    }

    private CustodyLedger OpenLedger()
    {
        _authority ??= CreateAuthority();
        var ledger = CustodyLedger.Open(_settings.Directory, new LedgerOptions
        {
            Origin = _settings.Origin,
            DefaultActor = _settings.Actor,
            TimeStampInterval = _settings.TimeStampInterval,
        }, _settings.Signer, _authority, _settings.Clock);
        if (_createdAuthorityCertificate is { } created)
        {
            _createdAuthorityCertificate = null;
            ledger.Append(new LedgerDraft(LedgerActions.KeyCreated)
            {
                Actor = _settings.Actor,
                Subjects = new JsonObject { ["purpose"] = "rfc3161-time-stamp-authority" },
                Hashes = new Dictionary<string, string> { ["certificate"] = created },
                Details = new JsonObject
                {
                    ["algorithm"] = "ECDSA P-256",
                    ["certificateFile"] = Path.Combine(_settings.BuiltInAuthorityDirectory, BuiltInTimeStampAuthority.CertificateFileName),
                    ["note"] = "a time-stamp authority built into Recorder: its tokens prove no more than this host's clock",
                },
            });
        }

        return ledger;
    }

    private ITimeStampAuthority CreateAuthority()
    {
        if (_settings.ExternalAuthority is { } url)
        {
            X509Certificate2? trusted = null;
            if (_settings.ExternalAuthorityCertificate is { } certificate)
            {
                trusted = TimeStampVerifier.LoadCertificatePem(File.ReadAllText(certificate));
            }

            return new HttpTimeStampAuthority(new HttpTimeStampAuthorityOptions { Url = url, TrustedCertificate = trusted });
        }

        var existed = File.Exists(Path.Combine(_settings.BuiltInAuthorityDirectory, BuiltInTimeStampAuthority.CertificateFileName));
        var builtIn = BuiltInTimeStampAuthority.OpenOrCreate(_settings.BuiltInAuthorityDirectory, _settings.Clock);
        if (!existed)
        {
            // Recorded as soon as the ledger is open: key creation is a custody event.
            _createdAuthorityCertificate = Hex.Lower(SHA256.HashData(builtIn.CertificateDer));
        }

        return builtIn;
    }
}
