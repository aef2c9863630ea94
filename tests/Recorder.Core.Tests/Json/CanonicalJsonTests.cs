using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Json;

namespace Recorder.Core.Tests.Json;

public class CanonicalJsonTests
{
    [Fact]
    public void Canonicalize_Rfc8785Section322Example_MatchesPublishedOutput()
    {
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;
        const string expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";

        var canonical = Encoding.UTF8.GetString(CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(input)));

        Assert.Equal(expected, canonical);
    }

    [Fact]
    public void Canonicalize_Rfc8785Section323Example_SortsByUtf16CodeUnits()
    {
        const string input = """
            {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
             "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
             "\u00f6": "Latin Small Letter O With Diaeresis"}
            """;

        var node = JsonNode.Parse(CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(input)))!.AsObject();

        Assert.Equal(["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"], node.Select(p => p.Key).ToArray());
    }

    [Theory]
    [InlineData(0x0000000000000000UL, "0")]
    [InlineData(0x8000000000000000UL, "0")]
    [InlineData(0x0000000000000001UL, "5e-324")]
    [InlineData(0x8000000000000001UL, "-5e-324")]
    [InlineData(0x7fefffffffffffffUL, "1.7976931348623157e+308")]
    [InlineData(0x4340000000000000UL, "9007199254740992")]
    [InlineData(0x4430000000000000UL, "295147905179352830000")]
    [InlineData(0x44b52d02c7e14af5UL, "9.999999999999997e+22")]
    [InlineData(0x44b52d02c7e14af6UL, "1e+23")]
    [InlineData(0x3eb0c6f7a0b5ed8dUL, "0.000001")]
    [InlineData(0x3eb0c6f7a0b5ed8cUL, "9.999999999999997e-7")]
    [InlineData(0x41b3de4355555555UL, "333333333.3333333")]
    [InlineData(0x444b1ae4d6e2ef50UL, "1e+21")]
    [InlineData(0x444b1ae4d6e2ef4fUL, "999999999999999900000")]
    public void FormatDouble_Rfc8785AppendixBValues_MatchEcmaScript(ulong bits, string expected)
    {
        Assert.Equal(expected, CanonicalJson.FormatDouble(BitConverter.UInt64BitsToDouble(bits)));
    }

    [Fact]
    public void Serialize_IntegerBeyond2To53_IsRefused()
    {
        var node = new JsonObject { ["ns"] = 1_700_000_000_123_456_789L };

        Assert.Throws<ArgumentOutOfRangeException>(() => CanonicalJson.Serialize(node));
    }

    [Fact]
    public void IsCanonical_TrueOnlyForExactCanonicalBytes()
    {
        Assert.True(CanonicalJson.IsCanonical("{\"a\":1,\"b\":[true]}"u8));
        Assert.False(CanonicalJson.IsCanonical("{\"b\":[true],\"a\":1}"u8));
        Assert.False(CanonicalJson.IsCanonical("{\"a\": 1}"u8));
    }

    [Fact]
    public void Serialize_ValuesBuiltFromClrTypes_AreCanonical()
    {
        var node = new JsonObject { ["b"] = 42, ["a"] = (byte)7, ["c"] = 2.5, ["d"] = 10L, ["e"] = true };

        Assert.Equal("{\"a\":7,\"b\":42,\"c\":2.5,\"d\":10,\"e\":true}", CanonicalJson.SerializeToString(node));
    }

    [Fact]
    public void Canonicalize_ParsedLargeIntegralNumber_IsFormattedAsTheDoubleItIs()
    {
        Assert.Equal("[-310000000000000000,1e+21]", Encoding.UTF8.GetString(CanonicalJson.Canonicalize("[-310000000000000000, 1000000000000000000000]"u8)));
        Assert.True(CanonicalJson.IsCanonical("[-310000000000000000]"u8));
    }
}
