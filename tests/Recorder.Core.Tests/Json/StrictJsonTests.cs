using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Json;

namespace Recorder.Core.Tests.Json;

/// <summary>Every fault System.Text.Json would only throw on at a member's first read is found up front and named.</summary>
public sealed class StrictJsonTests
{
    [Theory]
    [InlineData("{\"a\":1,\"a\":2}", "a", "appears more than once")]
    [InlineData("{\"f\":{\"x\":\"\\ud800\"}}", "f.x", "unpaired surrogate")]
    [InlineData("{\"s\":[{\"k\":1,\"k\":1}]}", "s[0].k", "appears more than once")]
    [InlineData("{\"a\":", "(doc)", "not valid JSON at line 1")]
    public void TryParse_NamesTheFaultAndWhere(string json, string path, string message)
    {
        var (node, problems) = StrictJson.TryParse(Encoding.UTF8.GetBytes(json), "(doc)");

        Assert.Null(node);
        var problem = Assert.Single(problems);
        Assert.Equal(path, problem.Path);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_BytesThatAreNotUtf8_NameTheFirstBadByte()
    {
        var (_, problems) = StrictJson.TryParse(new byte[] { (byte)'{', (byte)'"', (byte)'a', 0xFF, (byte)'"', (byte)':', (byte)'1', (byte)'}' }, "(doc)");

        Assert.Equal("not valid UTF-8 at byte 4 (RFC 8259 section 8.1)", Assert.Single(problems).Message);
    }

    [Fact]
    public void Parse_AWellFormedDocument_GivesItsNodes_AndAFaultyOneAFormatException()
    {
        var node = StrictJson.Parse("{\"a\":[1,\"x\"],\"b\":null}"u8) as JsonObject;

        Assert.Equal(1, StrictJson.Integer(node!["a"]![0]));
        Assert.Equal("x", StrictJson.Text(node["a"]![1]));
        Assert.Null(StrictJson.Text(node["a"]![0]));
        var fault = Assert.Throws<FormatException>(() => StrictJson.Parse("{\"a\":1,\"a\":1}"u8, "manifest"));
        Assert.Equal("a: appears more than once in the object", fault.Message);
    }
}
