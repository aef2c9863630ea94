using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recorder.Core.Hashing;
using Recorder.Core.Json;
using Recorder.Core.Time;
using Recorder.Signing.TimeStamping;

namespace Recorder.Ledger.Entries;

/// <summary>A draft checked and with its caller-supplied parts already in canonical form.</summary>
internal sealed record PreparedDraft(
    string Action,
    LedgerActor Actor,
    JsonObject Subjects,
    IReadOnlyDictionary<string, string> Hashes,
    JsonObject Details,
    string? Case,
    string? Reason,
    byte[] ActionJson,
    byte[] ActorJson,
    byte[] CaseJson,
    byte[] DetailsJson,
    byte[] HashesJson,
    byte[] ReasonJson,
    byte[] SubjectsJson);

/// <summary>
/// Writes and reads ledger entry lines (format version 1, docs/ledger-format.md). Writing splices
/// canonical fragments in the fixed key order of RFC 8785 (the top-level names sorted by UTF-16 code
/// units), so a line is canonical by construction; reading is strict: exactly the version-1 fields,
/// each of its type.
/// </summary>
internal static partial class EntryCodec
{
    /// <summary>The entry format version.</summary>
    public const int Version = 1;

    /// <summary>The longest entry line accepted, in bytes.</summary>
    public const int MaxLineBytes = 1 << 20;

    public const string ZeroHash = "0000000000000000000000000000000000000000000000000000000000000000";

    private static readonly string[] Keys = ["action", "actor", "case", "clock", "details", "hashes", "prev", "reason", "seq", "subjects", "time", "v"];

    public static PreparedDraft Prepare(LedgerDraft draft, LedgerActor defaultActor)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (!IsValidAction(draft.Action))
        {
            throw new ArgumentException($"action '{draft.Action}' is not a dotted lower-case name such as 'import.completed'", nameof(draft));
        }

        var actor = draft.Actor ?? defaultActor;
        actor.Validate();
        if (draft.Case is { Length: 0 } || draft.Reason is { Length: 0 })
        {
            throw new ArgumentException("case and reason are either null or non-empty", nameof(draft));
        }

        var hashes = new JsonObject();
        var hashCopy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in draft.Hashes ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrEmpty(name) || name.Length > 128)
            {
                throw new ArgumentException("hash names are 1 to 128 characters", nameof(draft));
            }

            if (!Hex.IsLowerHex(value, 32))
            {
                throw new ArgumentException($"hash '{name}' is not 64 lower-case hex digits (SHA-256)", nameof(draft));
            }

            hashes[name] = value;
            hashCopy[name] = value;
        }

        var subjects = Normalize(draft.Subjects, draft.Action);
        var details = Normalize(draft.Details, draft.Action);

        try
        {
            return new PreparedDraft(
                draft.Action,
                actor,
                subjects,
                hashCopy,
                details,
                draft.Case,
                draft.Reason,
                CanonicalJson.Serialize(JsonValue.Create(draft.Action)),
                ActorJson(actor),
                CanonicalJson.Serialize(draft.Case is null ? null : JsonValue.Create(draft.Case)),
                CanonicalJson.Serialize(details),
                CanonicalJson.Serialize(hashes),
                CanonicalJson.Serialize(draft.Reason is null ? null : JsonValue.Create(draft.Reason)),
                CanonicalJson.Serialize(subjects));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"draft '{draft.Action}' cannot be written as canonical JSON: {e.Message}", nameof(draft), e);
        }
    }

    public static byte[] ClockJson(ClockInfo clock) =>
        CanonicalJson.Serialize(new JsonObject
        {
            ["maxErrorUs"] = clock.MaxErrorMicroseconds is { } error ? JsonValue.Create(error) : null,
            ["source"] = clock.Source,
            ["sync"] = clock.Synchronization,
        });

    /// <summary>The canonical line of entry <paramref name="seq"/> (no newline).</summary>
    public static byte[] Encode(PreparedDraft draft, long seq, Timestamp time, byte[] clockJson, string prevHex)
    {
        var output = new ArrayBufferWriter<byte>(512 + draft.DetailsJson.Length + draft.SubjectsJson.Length);
        Write(output, "{\"action\":"u8);
        Write(output, draft.ActionJson);
        Write(output, ",\"actor\":"u8);
        Write(output, draft.ActorJson);
        Write(output, ",\"case\":"u8);
        Write(output, draft.CaseJson);
        Write(output, ",\"clock\":"u8);
        Write(output, clockJson);
        Write(output, ",\"details\":"u8);
        Write(output, draft.DetailsJson);
        Write(output, ",\"hashes\":"u8);
        Write(output, draft.HashesJson);
        Write(output, ",\"prev\":\""u8);
        Write(output, Encoding.ASCII.GetBytes(prevHex));
        Write(output, "\",\"reason\":"u8);
        Write(output, draft.ReasonJson);
        Write(output, ",\"seq\":"u8);
        Write(output, Encoding.ASCII.GetBytes(seq.ToString(CultureInfo.InvariantCulture)));
        Write(output, ",\"subjects\":"u8);
        Write(output, draft.SubjectsJson);
        Write(output, ",\"time\":\""u8);
        Write(output, Encoding.ASCII.GetBytes(time.ToString()));
        Write(output, "\",\"v\":1}"u8);
        if (output.WrittenCount > MaxLineBytes)
        {
            throw new ArgumentException($"entry '{draft.Action}' would be {output.WrittenCount} bytes; the limit is {MaxLineBytes}");
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Parses an entry line strictly; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(byte[] line, out LedgerEntry entry, out string error)
    {
        entry = null!;
        JsonObject root;
        try
        {
            root = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            error = "not valid JSON: " + e.Message;
            return false;
        }

        try
        {
            entry = FromObject(root, line);
            error = string.Empty;
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            // ArgumentException: a duplicate member name, which JsonObject refuses when enumerating.
            error = e.Message;
            return false;
        }
    }

    /// <summary>Parses or throws <see cref="FormatException"/>.</summary>
    public static LedgerEntry Parse(byte[] line) =>
        TryParse(line, out var entry, out var error) ? entry : throw new FormatException(error);

    /// <summary>
    /// Reads only the top-level <c>seq</c> and <c>prev</c> of an entry line, skipping everything else:
    /// what following the chain needs, at a fraction of a full parse.
    /// </summary>
    public static bool TryReadChainFields(ReadOnlySpan<byte> line, out long seq, Span<byte> prev)
    {
        seq = -1;
        var havePrev = false;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("seq"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out seq))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("prev"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.ValueSpan.Length != 64
                        || Convert.FromHexString(reader.ValueSpan, prev, out _, out var written) != OperationStatus.Done || written != 32)
                    {
                        return false;
                    }

                    havePrev = true;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return seq >= 0 && havePrev;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static bool IsValidAction(string? action) =>
        action is { Length: > 2 and <= 128 } && ActionPattern().IsMatch(action);

    private static LedgerEntry FromObject(JsonObject root, byte[] line)
    {
        foreach (var (name, _) in root)
        {
            if (Array.IndexOf(Keys, name) < 0)
            {
                throw new FormatException($"unexpected field '{name}'");
            }
        }

        foreach (var key in Keys)
        {
            if (!root.ContainsKey(key))
            {
                throw new FormatException($"field '{key}' is missing");
            }
        }

        if (Integer(root["v"], "v") != Version)
        {
            throw new FormatException($"format version {root["v"]} is not {Version}");
        }

        var seq = Integer(root["seq"], "seq");
        if (seq < 0)
        {
            throw new FormatException("seq is negative");
        }

        var timeText = String(root["time"], "time");
        if (!TimestampParser.TryParse(timeText, out var time, out _) || time.ToString() != timeText)
        {
            throw new FormatException($"time '{timeText}' is not RFC 3339 UTC with nine fractional digits");
        }

        var clock = Object(root["clock"], "clock");
        ExactKeys(clock, "clock", "maxErrorUs", "source", "sync");
        var sync = String(clock["sync"], "clock.sync");
        if (sync is not (ClockInfo.Synchronized or ClockInfo.Unsynchronized or ClockInfo.Unknown))
        {
            throw new FormatException($"clock.sync '{sync}' is not synchronized, unsynchronized or unknown");
        }

        long? maxError = clock["maxErrorUs"] is null ? null : Integer(clock["maxErrorUs"], "clock.maxErrorUs");
        var clockInfo = new ClockInfo(String(clock["source"], "clock.source"), sync, maxError);

        var actorObject = Object(root["actor"], "actor");
        ExactKeys(actorObject, "actor", "host", "kind", "name");
        if (!LedgerActor.TryParseKind(String(actorObject["kind"], "actor.kind"), out var kind))
        {
            throw new FormatException($"actor.kind '{actorObject["kind"]}' is not os-user, service-user or system");
        }

        var actor = new LedgerActor(kind, String(actorObject["name"], "actor.name"), String(actorObject["host"], "actor.host"));
        var action = String(root["action"], "action");
        if (!IsValidAction(action))
        {
            throw new FormatException($"action '{action}' is not a dotted lower-case name");
        }

        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in Object(root["hashes"], "hashes"))
        {
            var hex = String(value, "hashes." + name);
            if (!Hex.IsLowerHex(hex, 32))
            {
                throw new FormatException($"hashes.{name} is not 64 lower-case hex digits");
            }

            hashes[name] = hex;
        }

        var prev = String(root["prev"], "prev");
        if (!Hex.IsLowerHex(prev, 32))
        {
            throw new FormatException("prev is not 64 lower-case hex digits");
        }

        return new LedgerEntry(
            line,
            Hex.Lower(SHA256.HashData(line)),
            seq,
            time,
            clockInfo,
            actor,
            action,
            Object(root["subjects"], "subjects"),
            hashes,
            Object(root["details"], "details"),
            NullableString(root["case"], "case"),
            NullableString(root["reason"], "reason"),
            prev);
    }

    /// <summary>
    /// A copy of <paramref name="value"/> whose every value is backed by parsed JSON (as if read from
    /// a file): values built from CLR types (an <c>int</c>, a <c>DateTime</c>) become their JSON text,
    /// which is the form the canonical writer handles.
    /// </summary>
    private static JsonObject Normalize(JsonObject? value, string action)
    {
        if (value is null)
        {
            return new JsonObject();
        }

        try
        {
            return JsonNode.Parse(value.ToJsonString())!.AsObject();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new ArgumentException($"draft '{action}' holds a value that is not JSON: {e.Message}", nameof(value), e);
        }
    }

    private static byte[] ActorJson(LedgerActor actor) =>
        CanonicalJson.Serialize(new JsonObject { ["host"] = actor.Host, ["kind"] = actor.KindText, ["name"] = actor.Name });

    private static void Write(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);

    private static void ExactKeys(JsonObject value, string where, params string[] keys)
    {
        if (value.Count != keys.Length || keys.Any(k => !value.ContainsKey(k)))
        {
            throw new FormatException($"{where} must have exactly the fields {string.Join(", ", keys)}");
        }
    }

    private static long Integer(JsonNode? node, string where)
    {
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number))
        {
            return number;
        }

        throw new FormatException($"{where} is not an integer");
    }

    private static string String(JsonNode? node, string where)
    {
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            return value.GetValue<string>();
        }

        throw new FormatException($"{where} is not a string");
    }

    private static string? NullableString(JsonNode? node, string where) => node is null ? null : String(node, where);

    private static JsonObject Object(JsonNode? node, string where) =>
        node as JsonObject ?? throw new FormatException($"{where} is not an object");

    [GeneratedRegex("^[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?:\\.[a-z][a-z0-9]*(?:-[a-z0-9]+)*)+$", RegexOptions.CultureInvariant)]
    private static partial Regex ActionPattern();
}
