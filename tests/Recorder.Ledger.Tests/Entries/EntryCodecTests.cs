using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Recorder.Core.Json;
using Recorder.Core.Time;
using Recorder.Ledger.Entries;
using Recorder.Signing.TimeStamping;

namespace Recorder.Ledger.Tests.Entries;

public sealed class EntryCodecTests
{
    private static readonly LedgerActor Alice = new(LedgerActorKind.OsUser, "alice", "host1");
    private static readonly ClockInfo Clock = new("system-utc", ClockInfo.Unsynchronized, 16_000_000);

    [Fact]
    public void Encode_PinsTheVersion1LineByteForByte()
    {
        var draft = EntryCodec.Prepare(new LedgerDraft("query.submitted")
        {
            Subjects = new JsonObject { ["queryId"] = "q-1", ["segmentIds"] = new JsonArray("s1", "s2") },
            Hashes = new Dictionary<string, string> { ["output"] = new string('a', 64) },
            Details = new JsonObject { ["filter"] = "host 10.0.0.1", ["packets"] = 42 },
            Case = "CASE-7",
            Reason = "subpoena",
        }, Alice);

        var line = EntryCodec.Encode(draft, 3, Timestamp.FromSeconds(1_700_000_000, 1), EntryCodec.ClockJson(Clock), new string('0', 64));

        Assert.Equal(
            "{\"action\":\"query.submitted\",\"actor\":{\"host\":\"host1\",\"kind\":\"os-user\",\"name\":\"alice\"},\"case\":\"CASE-7\","
            + "\"clock\":{\"maxErrorUs\":16000000,\"source\":\"system-utc\",\"sync\":\"unsynchronized\"},\"details\":{\"filter\":\"host 10.0.0.1\",\"packets\":42},"
            + "\"hashes\":{\"output\":\"" + new string('a', 64) + "\"},\"prev\":\"" + new string('0', 64) + "\",\"reason\":\"subpoena\",\"seq\":3,"
            + "\"subjects\":{\"queryId\":\"q-1\",\"segmentIds\":[\"s1\",\"s2\"]},\"time\":\"2023-11-14T22:13:20.000000001Z\",\"v\":1}",
            Encoding.UTF8.GetString(line));
    }

    [Fact]
    public void Encode_AnyDraft_IsCanonicalAndParsesBackToTheSameFields()
    {
        var text = Gen.String[Gen.Char, 1, 12];
        Gen.Select(text, text, Gen.Long[-9_007_199_254_740_991L, 9_007_199_254_740_991L], Gen.Long[0, 1L << 50], Gen.Bool)
            .Sample((caseId, note, number, seq, withCase) =>
            {
                if (!IsValidUnicode(caseId) || !IsValidUnicode(note))
                {
                    return true;
                }

                var draft = EntryCodec.Prepare(new LedgerDraft("import.completed")
                {
                    Details = new JsonObject { ["n:" + note] = number, ["array"] = new JsonArray(note, 1.5, null, true) },
                    Subjects = new JsonObject { ["file"] = note },
                    Case = withCase ? caseId : null,
                    Reason = withCase ? null : note,
                }, Alice);
                var line = EntryCodec.Encode(draft, seq, Timestamp.FromSeconds(1_800_000_000, seq % 1_000_000_000), EntryCodec.ClockJson(Clock), new string('f', 64));
                var entry = EntryCodec.Parse(line);
                return CanonicalJson.IsCanonical(line)
                    && entry.Seq == seq
                    && entry.Case == (withCase ? caseId : null)
                    && entry.Details["n:" + note]!.GetValue<long>() == number
                    && entry.Text == Encoding.UTF8.GetString(line);
            }, iter: 500);
    }

    [Theory]
    [InlineData("Import.Completed")]
    [InlineData("import")]
    [InlineData("import..completed")]
    [InlineData("import.completed.")]
    [InlineData("import completed")]
    public void Prepare_RefusesActionsThatAreNotDottedLowerCase(string action)
    {
        var error = Assert.Throws<ArgumentException>(() => EntryCodec.Prepare(new LedgerDraft(action), Alice));
        Assert.Contains("dotted lower-case", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_RefusesHashesThatAreNotLowerHexSha256()
    {
        var error = Assert.Throws<ArgumentException>(() => EntryCodec.Prepare(new LedgerDraft("a.b") { Hashes = new Dictionary<string, string> { ["x"] = new string('A', 64) } }, Alice));
        Assert.Contains("'x'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_RefusesIntegersBeyond2Pow53()
    {
        var error = Assert.Throws<ArgumentException>(() => EntryCodec.Prepare(new LedgerDraft("a.b") { Details = new JsonObject { ["bytes"] = 9_007_199_254_740_993L } }, Alice));
        Assert.Contains("string", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"v\":1}", "\"v\":2}", "version")]
    [InlineData("\"v\":1}", "\"v\":1,\"x\":0}", "unexpected field 'x'")]
    [InlineData("\"case\":null,", "", "'case' is missing")]
    [InlineData("\"seq\":3", "\"seq\":\"3\"", "seq is not an integer")]
    [InlineData("\"kind\":\"os-user\"", "\"kind\":\"root\"", "actor.kind")]
    [InlineData("Z\",\"v\"", "+01:00\",\"v\"", "time")]
    public void TryParse_RejectsLinesThatAreNotExactlyVersion1(string find, string replace, string expected)
    {
        var draft = EntryCodec.Prepare(new LedgerDraft("a.b"), Alice);
        var line = Encoding.UTF8.GetString(EntryCodec.Encode(draft, 3, Timestamp.FromSeconds(1_700_000_000), EntryCodec.ClockJson(Clock), new string('0', 64)));
        Assert.Contains(find, line, StringComparison.Ordinal);

        Assert.False(EntryCodec.TryParse(Encoding.UTF8.GetBytes(line.Replace(find, replace, StringComparison.Ordinal)), out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void EntrySchema_AgreesWithTheFullParserOnAnySingleByteChange()
    {
        var draft = EntryCodec.Prepare(new LedgerDraft("segment.sealed")
        {
            Subjects = new JsonObject { ["segmentIds"] = new JsonArray("s1") },
            Hashes = new Dictionary<string, string> { ["segment"] = new string('b', 64) },
            Details = new JsonObject { ["packets"] = 12L },
            Case = "C",
        }, Alice);
        var line = EntryCodec.Encode(draft, 41, Timestamp.FromSeconds(1_700_000_000, 7), EntryCodec.ClockJson(Clock), new string('c', 64));
        var prev = new byte[32];
        Assert.Null(EntrySchema.Validate(line, prev, out var summary));
        Assert.Equal((41L, "segment.sealed", Timestamp.FromSeconds(1_700_000_000, 7)), (summary.Seq, summary.Action, summary.Time));

        Gen.Int[0, line.Length - 1].Select(Gen.Byte).Sample((i, b) =>
        {
            var changed = (byte[])line.Clone();
            changed[i] = b;
            return (EntrySchema.Validate(changed, prev, out _) is null) == EntryCodec.TryParse(changed, out _, out _);
        }, iter: 3000);
    }

    [Fact]
    public void TryReadChainFields_ReadsTopLevelSeqAndPrevOnly()
    {
        var draft = EntryCodec.Prepare(new LedgerDraft("a.b") { Details = new JsonObject { ["prev"] = new string('9', 64), ["seq"] = 77 } }, Alice);
        var line = EntryCodec.Encode(draft, 5, Timestamp.FromSeconds(1_700_000_000), EntryCodec.ClockJson(Clock), new string('e', 64));
        var prev = new byte[32];

        Assert.True(EntryCodec.TryReadChainFields(line, out var seq, prev));
        Assert.Equal(5, seq);
        Assert.Equal(Enumerable.Repeat((byte)0xee, 32), prev);
    }

    private static bool IsValidUnicode(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(s[i]))
            {
                return false;
            }
        }

        return true;
    }
}
