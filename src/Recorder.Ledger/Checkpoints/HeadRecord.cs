using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Core.Hashing;
using Recorder.Core.Json;
using Recorder.Ledger.Entries;

namespace Recorder.Ledger.Checkpoints;

/// <summary>
/// The signed-tree-head line of <c>ledger.jsonl</c>, written first in every batch:
/// <c>{"sth":{"key":FINGERPRINT,"origin":ORIGIN,"root":BASE64,"sig":BASE64,"size":N,"time":RFC3339},"v":1}</c>
/// in canonical JSON. The signature is over the checkpoint text rebuilt from these fields.
/// </summary>
internal static class HeadRecord
{
    /// <summary>Every head line starts with these bytes (canonical JSON puts <c>sth</c> first); no entry line does.</summary>
    public static ReadOnlySpan<byte> Prefix => "{\"sth\":"u8;

    public static bool LooksLikeHead(ReadOnlySpan<byte> line) => line.StartsWith(Prefix);

    public static byte[] Encode(Checkpoint head) =>
        CanonicalJson.Serialize(new JsonObject
        {
            ["sth"] = new JsonObject
            {
                ["key"] = head.KeyFingerprint,
                ["origin"] = head.Origin,
                ["root"] = Convert.ToBase64String(head.RootHash),
                ["sig"] = Convert.ToBase64String(head.Signature),
                ["size"] = head.Size,
                ["time"] = head.Time.ToString(),
            },
            ["v"] = 1L,
        });

    public static bool TryParse(ReadOnlySpan<byte> line, out Checkpoint head, out string error)
    {
        head = null!;
        try
        {
            var root = JsonNode.Parse(line) as JsonObject ?? throw new FormatException("not a JSON object");
            if (root.Count != 2 || root["v"] is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || v.GetValue<long>() != 1)
            {
                throw new FormatException("a head line has exactly the fields sth and v, and v is 1");
            }

            var sth = root["sth"] as JsonObject ?? throw new FormatException("sth is not an object");
            if (sth.Count != 6)
            {
                throw new FormatException("sth must have exactly key, origin, root, sig, size and time");
            }

            var key = Text(sth, "key");
            if (!Hex.IsLowerHex(key, 32))
            {
                throw new FormatException("sth.key is not a 64-digit lower-case hex fingerprint");
            }

            var origin = Text(sth, "origin");
            if (!CheckpointText.IsValidOrigin(origin))
            {
                throw new FormatException("sth.origin is not a valid origin");
            }

            var rootHash = Base64(sth, "root", 32);
            var signature = Base64(sth, "sig", 64);
            if (sth["size"] is not JsonValue sizeValue || sizeValue.GetValueKind() != JsonValueKind.Number || !sizeValue.TryGetValue<long>(out var size) || size < 1)
            {
                throw new FormatException("sth.size is not a positive integer");
            }

            var timeText = Text(sth, "time");
            if (!TimeText.TryParseExact(timeText, out var time))
            {
                throw new FormatException("sth.time is not RFC 3339 UTC with nine fractional digits");
            }

            head = new Checkpoint(origin, size, rootHash, time, signature, key);
            error = string.Empty;
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or ArgumentException)
        {
            error = e.Message;
            return false;
        }
    }

    private static string Text(JsonObject o, string name) =>
        o[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : throw new FormatException($"sth.{name} is not a string");

    private static byte[] Base64(JsonObject o, string name, int length)
    {
        var text = Text(o, name);
        var bytes = Convert.FromBase64String(text);
        if (bytes.Length != length || Convert.ToBase64String(bytes) != text)
        {
            throw new FormatException($"sth.{name} is not {length} bytes in standard padded base64");
        }

        return bytes;
    }
}
