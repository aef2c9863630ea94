using System.Globalization;
using Recorder.Core.Formats;

namespace Recorder.Storage.Store;

/// <summary>
/// Where everything lives inside a store directory (see docs/store-layout.md). This is the only
/// place that builds store paths, and segment paths only ever come from numeric ids, never from
/// user input.
/// </summary>
public sealed class StoreLayout
{
    /// <summary>Creates the layout for the store at <paramref name="root"/>.</summary>
    public StoreLayout(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The store directory.</summary>
    public string Root { get; }

    /// <summary><c>store.json</c>: identity and format version.</summary>
    public string StoreFile => Path.Combine(Root, "store.json");

    /// <summary>Key directory.</summary>
    public string KeysDirectory => Path.Combine(Root, "keys");

    /// <summary>The Ed25519 signing key (PKCS#8 PEM, mode 0600).</summary>
    public string SigningKeyFile => Path.Combine(KeysDirectory, "signing.key.pem");

    /// <summary>The public half of the signing key (SubjectPublicKeyInfo PEM).</summary>
    public string SigningPublicKeyFile => Path.Combine(KeysDirectory, "signing.pub.pem");

    /// <summary>Sealed segments.</summary>
    public string SegmentsDirectory => Path.Combine(Root, "segments");

    /// <summary>The file naming the last sealed segment and its manifest hash.</summary>
    public string SegmentHeadFile => Path.Combine(SegmentsDirectory, "HEAD");

    /// <summary>Segments being written, one subdirectory per writing session.</summary>
    public string OpenDirectory => Path.Combine(Root, "open");

    /// <summary>The RocksDB index.</summary>
    public string IndexDirectory => Path.Combine(Root, "index");

    /// <summary>The custody ledger.</summary>
    public string LedgerDirectory => Path.Combine(Root, "ledger");

    /// <summary>Query outputs kept by the store (the service's results).</summary>
    public string ExtractionsDirectory => Path.Combine(Root, "extractions");

    /// <summary>TLS key logs stored as evidence, each named by its SHA-256 (<c>keylogs/SHA256.keylog</c>).</summary>
    public string KeyLogsDirectory => Path.Combine(Root, "keylogs");

    /// <summary>The stored key log whose SHA-256 is <paramref name="sha256"/> (64 lower-case hex digits, checked: never a path from user input).</summary>
    /// <exception cref="ArgumentException"><paramref name="sha256"/> is not 64 lower-case hex digits.</exception>
    public string KeyLogFile(string sha256)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        if (sha256.Length != 64 || !sha256.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            throw new ArgumentException($"'{sha256}' is not a SHA-256 in lower-case hex", nameof(sha256));
        }

        return Path.Combine(KeyLogsDirectory, sha256 + ".keylog");
    }

    /// <summary>Lock files.</summary>
    public string LocksDirectory => Path.Combine(Root, "locks");

    /// <summary>Held while a segment is sealed (id allocation and the manifest chain).</summary>
    public string SealLockFile => Path.Combine(LocksDirectory, "seal.lock");

    /// <summary>Held while the index is written.</summary>
    public string IndexLockFile => Path.Combine(LocksDirectory, "index.lock");

    /// <summary>Held while abandoned sessions are recovered.</summary>
    public string RecoveryLockFile => Path.Combine(LocksDirectory, "recovery.lock");

    /// <summary>The directory holding segment <paramref name="id"/> (10 000 segments per directory).</summary>
    public string SegmentDirectory(long id) =>
        Path.Combine(SegmentsDirectory, (id / 10_000).ToString("D6", CultureInfo.InvariantCulture));

    /// <summary>The segment file: <c>.pcapng</c> as Recorder writes it, <c>.pcap</c> for an imported classic pcap kept verbatim.</summary>
    public string SegmentFile(long id, CaptureFileFormat format = CaptureFileFormat.Pcapng) =>
        Path.Combine(SegmentDirectory(id), SegmentName(id) + SegmentExtension(format));

    /// <summary>The file extension of a segment of <paramref name="format"/>.</summary>
    public static string SegmentExtension(CaptureFileFormat format) => format == CaptureFileFormat.Pcap ? ".pcap" : ".pcapng";

    /// <summary>The segment's manifest (canonical JSON).</summary>
    public string ManifestFile(long id) => Path.Combine(SegmentDirectory(id), SegmentName(id) + ".manifest.json");

    /// <summary>The raw 64-byte Ed25519 signature over the manifest's exact bytes.</summary>
    public string SignatureFile(long id) => Path.Combine(SegmentDirectory(id), SegmentName(id) + ".manifest.sig");

    /// <summary>
    /// The seal intent of segment <paramref name="id"/>: present only while that segment is being
    /// sealed (or a crash interrupted its sealing), so its file may be there before its manifest.
    /// </summary>
    public string SealIntentFile(long id) => Path.Combine(SegmentDirectory(id), SegmentName(id) + ".seal-intent.json");

    /// <summary>
    /// The segment's session metadata: one JSON object per session (docs/sessions.md, "In the
    /// store"), written after sealing and ledgered as <c>sessions.indexed</c>.
    /// </summary>
    public string SessionsFile(long id) => Path.Combine(SegmentDirectory(id), SegmentName(id) + SessionsExtension);

    /// <summary>The suffix of a segment's session metadata file in the first layout (plain JSON Lines, no index).</summary>
    public const string SessionsExtension = ".sessions.jsonl";

    /// <summary>
    /// The segment's session metadata in block format: the same JSON lines in zstd frames followed by
    /// the term index (docs/sessions.md, "Session index"). Written instead of <see cref="SessionsFile"/>
    /// since that index exists; a store may hold either.
    /// </summary>
    public string SessionBlocksFile(long id) => Path.Combine(SegmentDirectory(id), SegmentName(id) + SessionBlocksExtension);

    /// <summary>The suffix of a segment's session metadata file in block format.</summary>
    public const string SessionBlocksExtension = ".sessions.jsonl.zst";

    /// <summary>The segment's session metadata file as it is on disk: the block file, else the plain one, else null (not built).</summary>
    public string? ExistingSessionsFile(long id) =>
        File.Exists(SessionBlocksFile(id)) ? SessionBlocksFile(id) : File.Exists(SessionsFile(id)) ? SessionsFile(id) : null;

    /// <summary>The base name of a segment's files: twelve decimal digits.</summary>
    public static string SegmentName(long id)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(id);
        return id.ToString("D12", CultureInfo.InvariantCulture);
    }

    /// <summary>Parses a segment base name back to its id; false for anything else.</summary>
    public static bool TryParseSegmentName(string name, out long id)
    {
        id = 0;
        return name.Length == 12 && name.All(char.IsAsciiDigit)
            && long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;
    }

    /// <summary>A path relative to the store root, with forward slashes (as manifests record it).</summary>
    public string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');
}
