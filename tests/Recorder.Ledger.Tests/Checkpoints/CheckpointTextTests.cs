using System.Text;
using Recorder.Core.Time;
using Recorder.Ledger.Checkpoints;

namespace Recorder.Ledger.Tests.Checkpoints;

public sealed class CheckpointTextTests
{
    private static readonly byte[] Root = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void Format_WritesTheDocumentedFourLines()
    {
        var text = CheckpointText.Format("recorder.store/abc", 1234, Root, Timestamp.FromSeconds(1_700_000_000, 5));

        Assert.Equal("recorder.store/abc\n1234\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n2023-11-14T22:13:20.000000005Z\n", text);
    }

    [Fact]
    public void Parse_OfFormat_RoundTrips()
    {
        var time = Timestamp.FromSeconds(1_700_000_000, 123_456_789);
        var body = CheckpointText.Parse(Encoding.UTF8.GetBytes(CheckpointText.Format("o", 7, Root, time)));

        Assert.Equal(("o", 7L, time), (body.Origin, body.Size, body.Time));
        Assert.Equal(Root, body.RootHash);
    }

    [Theory]
    [InlineData("o\n7\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n2023-11-14T22:13:20.000000005Z", "newline")]
    [InlineData("o\n07\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n2023-11-14T22:13:20.000000005Z\n", "line 2")]
    [InlineData("o\n7\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\n2023-11-14T22:13:20.000000005Z\n", "line 3")]
    [InlineData("o\n7\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n2023-11-14T22:13:20.5Z\n", "line 4")]
    [InlineData("o p\n7\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n2023-11-14T22:13:20.000000005Z\n", "line 1")]
    [InlineData("o\n7\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n2023-11-14T22:13:20.000000005Z\nextra\n", "5 lines")]
    public void TryParse_AnythingButTheExactForm_FailsNamingTheLine(string text, string where)
    {
        Assert.False(CheckpointText.TryParse(Encoding.UTF8.GetBytes(text), out _, out var error));
        Assert.Contains(where, error, StringComparison.Ordinal);
    }
}
