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

        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
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
        }

        // The caller's part of the entry goes through JSON text once: that copies it, turns values
        // built from CLR types (an int, a DateTime) into parsed JSON the canonical writer handles, and
        // lets one canonical serialization produce every fragment Encode splices in.
        byte[] canonical;
        JsonObject parsed;
        try
        {
            var buffer = new ArrayBufferWriter<byte>(1024);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("action", draft.Action);
                writer.WriteStartObject("actor");
                writer.WriteString("host", actor.Host);
                writer.WriteString("kind", actor.KindText);
                writer.WriteString("name", actor.Name);
                writer.WriteEndObject();
                WriteNullableString(writer, "case", draft.Case);
                writer.WritePropertyName("details");
                WriteObject(writer, draft.Details);
                writer.WriteStartObject("hashes");
                foreach (var (name, value) in hashes)
                {
                    writer.WriteString(name, value);
                }

                writer.WriteEndObject();
                WriteNullableString(writer, "reason", draft.Reason);
                writer.WritePropertyName("subjects");
                WriteObject(writer, draft.Subjects);
                writer.WriteEndObject();
            }

            parsed = JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
            canonical = CanonicalJson.Serialize(parsed);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or JsonException or NotSupportedException)
        {
            throw new ArgumentException($"draft '{draft.Action}' cannot be written as canonical JSON: {e.Message}", nameof(draft), e);
        }

        var fragments = SplitMembers(canonical);
        return new PreparedDraft(
            draft.Action,
            actor,
            parsed["subjects"]!.AsObject(),
            hashes,
            parsed["details"]!.AsObject(),
            draft.Case,
            draft.Reason,
            fragments["action"],
            fragments["actor"],
            fragments["case"],
            fragments["details"],
            fragments["hashes"],
            fragments["reason"],
            fragments["subjects"]);
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
        Span<byte> seqText = stackalloc byte[20];
        if (!seq.TryFormat(seqText, out var seqLength, provider: CultureInfo.InvariantCulture))
        {
            throw new ArgumentOutOfRangeException(nameof(seq));
        }

        var timeText = time.ToString();
        var length = LineLength(draft, clockJson, seqLength, timeText.Length, prevHex.Length);
        if (length > MaxLineBytes)
        {
            throw new ArgumentException($"entry '{draft.Action}' would be {length} bytes; the limit is {MaxLineBytes}");
        }

        var line = new byte[length];
        var at = 0;
        Put(line, ref at, "{\"action\":"u8);
        Put(line, ref at, draft.ActionJson);
        Put(line, ref at, ",\"actor\":"u8);
        Put(line, ref at, draft.ActorJson);
        Put(line, ref at, ",\"case\":"u8);
        Put(line, ref at, draft.CaseJson);
        Put(line, ref at, ",\"clock\":"u8);
        Put(line, ref at, clockJson);
        Put(line, ref at, ",\"details\":"u8);
        Put(line, ref at, draft.DetailsJson);
        Put(line, ref at, ",\"hashes\":"u8);
        Put(line, ref at, draft.HashesJson);
        Put(line, ref at, ",\"prev\":\""u8);
        at += Encoding.ASCII.GetBytes(prevHex, line.AsSpan(at));
        Put(line, ref at, "\",\"reason\":"u8);
        Put(line, ref at, draft.ReasonJson);
        Put(line, ref at, ",\"seq\":"u8);
        Put(line, ref at, seqText[..seqLength]);
        Put(line, ref at, ",\"subjects\":"u8);
        Put(line, ref at, draft.SubjectsJson);
        Put(line, ref at, ",\"time\":\""u8);
        at += Encoding.ASCII.GetBytes(timeText, line.AsSpan(at));
        Put(line, ref at, "\",\"v\":1}"u8);
        return line;
    }

    private static int LineLength(PreparedDraft d, byte[] clockJson, int seqLength, int timeLength, int prevLength) =>
        checked("{\"action\":"u8.Length + d.ActionJson.Length + ",\"actor\":"u8.Length + d.ActorJson.Length + ",\"case\":"u8.Length + d.CaseJson.Length
            + ",\"clock\":"u8.Length + clockJson.Length + ",\"details\":"u8.Length + d.DetailsJson.Length + ",\"hashes\":"u8.Length + d.HashesJson.Length
            + ",\"prev\":\""u8.Length + prevLength + "\",\"reason\":"u8.Length + d.ReasonJson.Length + ",\"seq\":"u8.Length + seqLength
            + ",\"subjects\":"u8.Length + d.SubjectsJson.Length + ",\"time\":\""u8.Length + timeLength + "\",\"v\":1}"u8.Length);

    private static void Put(byte[] line, ref int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(line.AsSpan(at));
        at += bytes.Length;
    }

    /// <summary>Parses an entry line strictly; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(byte[] line, out LedgerEntry entry, out string error)
    {
        entry = null!;
        if (!System.Text.Unicode.Utf8.IsValid(line))
        {
            // JSON text is UTF-8 (RFC 8259 §8.1); the reader would only notice in the strings it decodes.
            error = "not UTF-8";
            return false;
        }

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
        if (!TimeText.TryParseExact(timeText, out var time))
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

    private static void WriteNullableString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteObject(Utf8JsonWriter writer, JsonObject? value)
    {
        if (value is null)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
        else
        {
            value.WriteTo(writer);
        }
    }

    /// <summary>The bytes of each top-level member's value in a canonical object.</summary>
    private static Dictionary<string, byte[]> SplitMembers(byte[] canonical)
    {
        var members = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(canonical);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            var start = checked((int)reader.TokenStartIndex);
            reader.Skip();
            members[name] = canonical[start..checked((int)reader.BytesConsumed)];
        }

        return members;
    }

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
