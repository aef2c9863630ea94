using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Storage.Store;

namespace Recorder.Storage.Import;

/// <summary>An input the store (or the same import) already holds, by SHA-256; nothing was stored.</summary>
public sealed class DuplicateCaptureException : Exception
{
    /// <summary>A refusal without details (for serializers).</summary>
    public DuplicateCaptureException()
        : this("an input the store already holds")
    {
    }

    /// <summary>A refusal described by <paramref name="message"/>.</summary>
    public DuplicateCaptureException(string message)
        : base(message)
    {
    }

    /// <summary>A refusal described by <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    public DuplicateCaptureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The input file at fault.</summary>
    public string File { get; init; } = "?";

    /// <summary>Its SHA-256.</summary>
    public string Sha256 { get; init; } = string.Empty;
}

/// <summary>
/// Recognises an input already imported: its SHA-256 equals the source hash of a sealed segment in
/// the store, or of an earlier file of the same import. Importing it again would store every packet
/// twice and double what every later extraction returns, without a word; it is refused unless the
/// caller insists, and then recorded.
/// </summary>
internal sealed class DuplicateInputs
{
    private readonly Dictionary<string, List<long>> _stored = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _thisImport = new(StringComparer.Ordinal);

    /// <summary>Learns the source hashes of the segments sealed in <paramref name="store"/>.</summary>
    public DuplicateInputs(EvidenceStore store)
    {
        foreach (var segment in store.ListSegments())
        {
            if (segment.Manifest.Origin["source"]?["sha256"] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            {
                var sha = value.GetValue<string>();
                if (!_stored.TryGetValue(sha, out var ids))
                {
                    _stored[sha] = ids = [];
                }

                ids.Add(segment.Id);
            }
        }
    }

    /// <summary>Duplicates let through (<c>--allow-duplicate</c>), for the ledger.</summary>
    public JsonArray Allowed { get; } = [];

    /// <summary>
    /// Notes <paramref name="file"/> (hashed to <paramref name="sha256"/>); throws
    /// <see cref="DuplicateCaptureException"/> when it is a duplicate and <paramref name="allow"/> is false.
    /// </summary>
    public void Check(string file, string sha256, bool allow)
    {
        string? held = null;
        var segments = _stored.TryGetValue(sha256, out var ids) ? ids : [];
        if (segments.Count > 0)
        {
            held = $"the store already holds it (segment{(segments.Count == 1 ? string.Empty : "s")} {string.Join(", ", segments)})";
        }
        else if (_thisImport.TryGetValue(sha256, out var earlier))
        {
            held = $"it is the same file as {earlier}, earlier in this import";
        }

        _thisImport.TryAdd(sha256, file);
        if (held is null)
        {
            return;
        }

        if (!allow)
        {
            throw new DuplicateCaptureException($"{file}: SHA-256 {sha256}: {held}; importing it again would store its packets twice " +
                "(every later extraction would hold them twice). Nothing was imported; --allow-duplicate imports it anyway, recorded in the ledger")
            {
                File = file,
                Sha256 = sha256,
            };
        }

        Allowed.Add((JsonNode)new JsonObject
        {
            ["file"] = file,
            ["sha256"] = sha256,
            ["alreadyInSegments"] = new JsonArray(segments.Select(id => (JsonNode)id).ToArray()),
            ["held"] = held,
        });
    }
}
