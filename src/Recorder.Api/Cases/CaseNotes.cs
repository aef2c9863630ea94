using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Recorder.Api.Users;
using Recorder.Core.Hashing;
using Recorder.Storage.Store;

namespace Recorder.Api.Cases;

/// <summary>One note on a case: who wrote it, when, its text and the ledger entry recording it.</summary>
/// <param name="Id">The note's id (a GUID).</param>
/// <param name="Case">The case number.</param>
/// <param name="Author">Who wrote it.</param>
/// <param name="AuthorRole">Their role when they wrote it.</param>
/// <param name="At">When (RFC 3339, UTC).</param>
/// <param name="Text">What they wrote.</param>
/// <param name="Sha256">SHA-256 of the text's UTF-8 bytes (the hash the ledger holds).</param>
/// <param name="LedgerSeq">The <c>case.note-added</c> entry.</param>
public sealed record CaseNote(string Id, string Case, string Author, string AuthorRole, string At, string Text, string Sha256, long LedgerSeq)
{
    /// <summary>SHA-256 (lower-case hex) of <paramref name="text"/> as UTF-8.</summary>
    public static string Hash(string text) => Hex.Lower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>
/// Notes on cases, append-only: <c>STORE/service/cases/SHA.notes.jsonl</c> (SHA: the SHA-256 of the
/// case number, so no user text reaches a path) holds one JSON line per note, appended after its
/// ledger entry was written. Nothing here changes or removes a line; the ledger entry (with the
/// text and its hash) is the authoritative record, this file the fast way to show them.
/// </summary>
public sealed class CaseNotes
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Lock _append = new();

    /// <summary>Keeps notes in the store at <paramref name="layout"/>.</summary>
    public CaseNotes(StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Directory = Path.Combine(UserDirectory.ServiceDirectory(layout), "cases");
    }

    /// <summary>The folder holding the note files.</summary>
    public string Directory { get; }

    /// <summary>The note file of <paramref name="caseId"/>.</summary>
    public string PathOf(string caseId) => Path.Combine(Directory, CaseNote.Hash(caseId) + ".notes.jsonl");

    /// <summary>The notes of <paramref name="caseId"/>, oldest first.</summary>
    public IReadOnlyList<CaseNote> Read(string caseId)
    {
        ArgumentNullException.ThrowIfNull(caseId);
        var path = PathOf(caseId);
        if (!File.Exists(path))
        {
            return [];
        }

        return File.ReadLines(path)
            .Where(line => line.Length > 0)
            .Select(line => JsonSerializer.Deserialize<CaseNote>(line, Json))
            .OfType<CaseNote>()
            .Where(n => n.Case == caseId)
            .ToList();
    }

    /// <summary>How many notes <paramref name="caseId"/> has.</summary>
    public int Count(string caseId) => Read(caseId).Count;

    /// <summary>Appends <paramref name="note"/> (one line, flushed to disk).</summary>
    public void Append(CaseNote note)
    {
        ArgumentNullException.ThrowIfNull(note);
        var line = JsonSerializer.Serialize(note, Json) + "\n";
        lock (_append)
        {
            System.IO.Directory.CreateDirectory(Directory);
            using var stream = new FileStream(PathOf(note.Case), FileMode.Append, FileAccess.Write, FileShare.Read);
            stream.Write(Encoding.UTF8.GetBytes(line));
            stream.Flush(flushToDisk: true);
        }
    }
}
