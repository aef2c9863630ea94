using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Recorder.Core.Json;
using Recorder.Ledger.Json;

namespace Recorder.Ledger.Tests.Json;

public sealed class CanonicalJsonValidatorTests
{
    [Theory]
    [InlineData("{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"x\"}}", true)]
    [InlineData("{\"b\":1,\"a\":2}", false)]
    [InlineData("{\"a\":1,\"a\":2}", false)]
    [InlineData("{\"a\": 1}", false)]
    [InlineData(" {\"a\":1}", false)]
    [InlineData("{\"a\":1}\n", false)]
    [InlineData("{\"a\":1.0}", false)]
    [InlineData("{\"a\":1e3}", false)]
    [InlineData("{\"a\":1000}", true)]
    [InlineData("{\"a\":-0}", false)]
    [InlineData("{\"a\":0}", true)]
    [InlineData("{\"a\":01}", false)]
    [InlineData("{\"a\":1e+30}", true)]
    [InlineData("{\"a\":0.002}", true)]
    [InlineData("{\"a\":9007199254740993}", false)]
    [InlineData("{\"a\":-310000000000000000}", true)]
    [InlineData("{\"a\":\"\\/\"}", false)]
    [InlineData("{\"a\":\"/\"}", true)]
    [InlineData("{\"a\":\"\\u0041\"}", false)]
    [InlineData("{\"a\":\"\\u000f\"}", true)]
    [InlineData("{\"a\":\"\\u000F\"}", false)]
    [InlineData("{\"a\":\"\\u000a\"}", false)]
    [InlineData("{\"a\":\"\\n\"}", true)]
    [InlineData("{\"a\":\"\\u20ac\"}", false)]
    [InlineData("{\"a\":\"€\"}", true)]
    [InlineData("{\"\\r\":1,\"1\":2}", true)]
    [InlineData("{\"1\":2,\"\\r\":1}", false)]
    [InlineData("{\"a\":tru}", false)]
    [InlineData("{\"a\":1}{}", false)]
    public void IsCanonical_AgreesWithRfc8785(string json, bool canonical)
    {
        Assert.Equal(canonical, CanonicalJsonValidator.IsCanonical(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void IsCanonical_SortsNamesByUtf16CodeUnitsNotCodePoints()
    {
        // U+FB33 sorts after U+1F600 in UTF-16 (0xD83D < 0xFB33) but before it in UTF-8/code points.
        var canonical = CanonicalJson.Serialize(new JsonObject { ["\ufb33"] = 1L, ["\ud83d\ude00"] = 2L });

        Assert.True(CanonicalJsonValidator.IsCanonical(canonical));
        Assert.False(CanonicalJsonValidator.IsCanonical(Encoding.UTF8.GetBytes("{\"\ufb33\":1,\"\ud83d\ude00\":2}")));
    }

    [Fact]
    public void IsCanonical_OnCanonicalJsonOfRandomValues_IsTrue()
    {
        JsonGen.Value.Sample(node => CanonicalJsonValidator.IsCanonical(CanonicalJson.Serialize(node)), iter: 2000);
    }

    [Fact]
    public void IsCanonical_AfterAnySingleByteChange_AgreesWithCanonicalJson()
    {
        JsonGen.Value.SelectMany(node =>
        {
            var bytes = CanonicalJson.Serialize(node);
            return Gen.Int[0, bytes.Length - 1].SelectMany(i => Gen.Byte.Select(b => (bytes, i, b)));
        }).Sample(t =>
        {
            var (bytes, i, b) = t;
            var changed = (byte[])bytes.Clone();
            changed[i] = b;
            bool expected;
            try
            {
                // Canonicalize, not IsCanonical: IsCanonical answers false for the refusal below instead of throwing it.
                expected = CanonicalJson.Canonicalize(changed).AsSpan().SequenceEqual(changed);
            }
            catch (ArgumentOutOfRangeException)
            {
                return true; // an integer beyond 2^53 that CanonicalJson refuses to re-read: JCS alone decides (covered above)
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException or InvalidOperationException or FormatException)
            {
                expected = false;
            }

            return CanonicalJsonValidator.IsCanonical(changed) == expected;
        }, iter: 5000);
    }

    private static class JsonGen
    {
        private static readonly Gen<string> Text = Gen.OneOf(
            Gen.String[Gen.Char.AlphaNumeric, 0, 6],
            Gen.Const("\u20ac\n\"\\/\u000f\u007f"),
            Gen.Const("\ud83d\ude00"),
            Gen.Const("\ufb33"));

        private static readonly Gen<JsonNode?> Scalar = Gen.OneOf(
            Text.Select(s => (JsonNode?)JsonValue.Create(s)),
            Gen.Long[-9_007_199_254_740_991L, 9_007_199_254_740_991L].Select(n => (JsonNode?)JsonValue.Create(n)),
            Gen.Double[-1e30, 1e30].Select(d => (JsonNode?)JsonValue.Create(d)),
            Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
            Gen.Const(() => (JsonNode?)null));

        public static readonly Gen<JsonNode?> Value = Gen.Recursive<JsonNode?>((depth, self) => depth >= 3
            ? Scalar
            : Gen.OneOf(
                Scalar,
                self.Array[0, 4].Select(items => (JsonNode?)new JsonArray(items.Select(i => i?.DeepClone()).ToArray())),
                Gen.Select(Text, self).Array[0, 4].Select(members =>
                {
                    var o = new JsonObject();
                    foreach (var (k, v) in members)
                    {
                        o[k] = v?.DeepClone();
                    }

                    return (JsonNode?)o;
                })));
    }
}
