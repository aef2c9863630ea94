using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Time;
using Recorder.Signing.TimeStamping;

namespace Recorder.Ledger.Entries;

/// <summary>
/// One recorded entry as it stands in <c>ledger.jsonl</c>: the parsed fields and the exact canonical
/// line they were read from (without its newline). <see cref="Hash"/> is SHA-256 of that line: the
/// next entry's <see cref="Prev"/>, and (with a 0x00 prefix) its Merkle leaf.
/// </summary>
public sealed class LedgerEntry
{
    private readonly byte[] _line;
    private readonly JsonObject _subjects;
    private readonly JsonObject _details;

    internal LedgerEntry(
        byte[] line,
        string hash,
        long seq,
        Timestamp time,
        ClockInfo clock,
        LedgerActor actor,
        string action,
        JsonObject subjects,
        IReadOnlyDictionary<string, string> hashes,
        JsonObject details,
        string? caseId,
        string? reason,
        string prev)
    {
        _line = line;
        Hash = hash;
        Seq = seq;
        Time = time;
        Clock = clock;
        Actor = actor;
        Action = action;
        _subjects = subjects;
        Hashes = hashes;
        _details = details;
        Case = caseId;
        Reason = reason;
        Prev = prev;
    }

    /// <summary>The entry's position, 0-based; equal to its Merkle leaf index.</summary>
    public long Seq { get; }

    /// <summary>When the ledger recorded it (UTC, nanoseconds).</summary>
    public Timestamp Time { get; }

    /// <summary>Where <see cref="Time"/> came from and how far it can be trusted.</summary>
    public ClockInfo Clock { get; }

    /// <summary>Who acted.</summary>
    public LedgerActor Actor { get; }

    /// <summary>The dotted action name.</summary>
    public string Action { get; }

    /// <summary>Ids the action concerns (a copy).</summary>
    public JsonObject Subjects => _subjects.DeepClone().AsObject();

    /// <summary>Name → lower-case hex SHA-256.</summary>
    public IReadOnlyDictionary<string, string> Hashes { get; }

    /// <summary>Free-form details (a copy).</summary>
    public JsonObject Details => _details.DeepClone().AsObject();

    /// <summary>The case, if any.</summary>
    public string? Case { get; }

    /// <summary>The reason, if any.</summary>
    public string? Reason { get; }

    /// <summary>Lower-case hex SHA-256 of the previous entry's line; 64 zeros for entry 0.</summary>
    public string Prev { get; }

    /// <summary>Lower-case hex SHA-256 of <see cref="Line"/>.</summary>
    public string Hash { get; }

    /// <summary>The exact canonical bytes of the entry (UTF-8, no newline).</summary>
    public ReadOnlyMemory<byte> Line => _line;

    /// <summary>The entry's line as text (what <c>jq</c> sees).</summary>
    public string Text => Encoding.UTF8.GetString(_line);

    /// <inheritdoc />
    public override string ToString() => Text;
}
