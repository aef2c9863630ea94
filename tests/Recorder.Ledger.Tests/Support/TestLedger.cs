using Microsoft.Extensions.Time.Testing;
using Recorder.Ledger.Entries;
using Recorder.Signing;
using Recorder.Signing.TimeStamping;

namespace Recorder.Ledger.Tests.Support;

/// <summary>A ledger in a fresh temp directory with a fake clock, an Ed25519 key and a built-in TSA.</summary>
public sealed class TestLedger : IDisposable
{
    public const string Origin = "recorder.store/test-store";

    public TestLedger(LedgerOptions? options = null, string? directory = null)
    {
        Root = directory ?? Path.Combine(Path.GetTempPath(), "recorder-ledger-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Root);
        Key = Ed25519Key.Generate();
        Clock = new FakeTimeProvider(new DateTimeOffset(2024, 11, 5, 9, 30, 0, TimeSpan.Zero));
        Clock.AutoAdvanceAmount = TimeSpan.FromMilliseconds(1);
        Tsa = BuiltInTimeStampAuthority.OpenOrCreate(Path.Combine(Root, "tsa"), Clock);
        Options = options ?? new LedgerOptions { Origin = Origin, TimeStampInterval = null, DefaultActor = new LedgerActor(LedgerActorKind.OsUser, "alice", "host1") };
        Ledger = Open();
    }

    public string Root { get; }

    public string Directory => Path.Combine(Root, "ledger");

    public string LedgerFile => Path.Combine(Directory, "ledger.jsonl");

    public Ed25519Key Key { get; }

    public Ed25519Key PublicKey => Ed25519Key.FromPem(Key.PublicKeyPem());

    public FakeTimeProvider Clock { get; }

    public BuiltInTimeStampAuthority Tsa { get; }

    public LedgerOptions Options { get; }

    public CustodyLedger Ledger { get; private set; }

    public CustodyLedger Open(LedgerOptions? options = null, ITimeStampAuthority? tsa = null) =>
        Ledger = CustodyLedger.Open(Directory, options ?? Options, Key, tsa ?? Tsa, Clock);

    public static LedgerDraft Draft(int i, string action = "test.appended") => new(action)
    {
        Subjects = new System.Text.Json.Nodes.JsonObject { ["item"] = i },
        Details = new System.Text.Json.Nodes.JsonObject { ["note"] = "entry number " + i },
    };

    public void AppendMany(int count, int perBatch = 1)
    {
        for (var i = 0; i < count; i += perBatch)
        {
            Ledger.Append(Enumerable.Range(i, Math.Min(perBatch, count - i)).Select(n => Draft(n)));
        }
    }

    public Recorder.Ledger.Verification.LedgerVerificationReport Verify(Recorder.Ledger.Verification.LedgerVerifyOptions? options = null)
    {
        using var certificate = TimeStampVerifier.LoadCertificatePem(Tsa.CertificatePem);
        return Recorder.Ledger.Verification.LedgerVerifier.Verify(Directory, PublicKey, certificate, options);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
