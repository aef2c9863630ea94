using System.Text.Json;
using System.Text.RegularExpressions;
using Recorder.Synthesis.Tests.Support;
using Recorder.Synthesis.Truth;

namespace Recorder.Synthesis.Tests;

[Collection(CaptureVariantsCollection.Name)]
public sealed partial class TruthJsonTests(CaptureVariants variants)
{
    [Fact]
    public void ToJson_ThenFromJson_GivesTheSameTruth()
    {
        foreach (var file in variants.All)
        {
            var json = file.Truth.ToJson();

            var back = SynthesisTruth.FromJson(json);

            Assert.Equal(json, back.ToJson());
            Assert.Equal(file.Options, back.Options);
            Assert.Equal(file.Truth.Elephant.Query.Bpf, back.Elephant.Query.Bpf);
            Assert.Equal(file.Truth.Queries.Select(q => q.Packets), back.Queries.Select(q => q.Packets));
        }
    }

    [Fact]
    public void ToJson_WritesTimestampsAsRfc3339WithNineDigits_AndNamesInCamelCase()
    {
        var json = variants.PcapNanoseconds.Truth.ToJson();
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;

        Assert.Matches(Rfc3339(), root.GetProperty("firstTimestamp").GetString()!);
        Assert.Matches(Rfc3339(), root.GetProperty("options").GetProperty("start").GetString()!);
        var window = root.GetProperty("queries").EnumerateArray().Single(q => q.GetProperty("name").GetString() == "window").GetProperty("query");
        Assert.Matches(Rfc3339(), window.GetProperty("from").GetString()!);
        Assert.Equal(1, root.GetProperty("generatorVersion").GetInt32());
        Assert.True(root.TryGetProperty("ipv6Packets", out _));
        Assert.Equal("host 192.0.2.250 and port 443", root.GetProperty("elephant").GetProperty("bpf").GetString());
    }

    [Fact]
    public void FromJson_NotATruthDocument_Throws()
    {
        Assert.ThrowsAny<JsonException>(() => SynthesisTruth.FromJson("{\"packets\": 3}"));
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")]
    private static partial Regex Rfc3339();
}
