using Recorder.Core.Text;

namespace Recorder.Core.Tests.Text;

public sealed class UserTextTests
{
    [Theory]
    [InlineData("udp\u0000 or tcp", "control character U+0000 at position 4")]
    [InlineData("C-1\r\nactor: admin", "control character U+000D at position 4")]
    [InlineData("invoice\u202Egnp.exe", "bidirectional override U+202E at position 8")]
    [InlineData("\u202Aa", "bidirectional override U+202A at position 1")]
    [InlineData("a\u2069", "bidirectional override U+2069 at position 2")]
    [InlineData("a\u0085", "control character U+0085 at position 2")]
    public void Problem_NamesTheFirstRefusedCharacterAndItsPosition(string text, string expected) =>
        Assert.Equal(expected, UserText.Problem(text));

    [Fact]
    public void Problem_RefusesUnpairedSurrogates()
    {
        // Built at run time: attribute arguments are stored as UTF-8, which turns a lone surrogate into U+FFFD.
        Assert.Equal("unpaired surrogate U+D800 at position 2", UserText.Problem("x" + (char)0xD800 + "y"));
        Assert.Equal("unpaired surrogate U+DC00 at position 2", UserText.Problem("x" + (char)0xDC00));
    }

    [Theory]
    [InlineData("CASE-2026/17 Müller, Ωmega")]
    [InlineData("emoji \U0001F512 paired surrogates")]
    [InlineData("עברית العربية")] // right-to-left text itself is fine; only the override characters are refused
    [InlineData("")]
    public void Problem_AcceptsOrdinaryText(string text) => Assert.Null(UserText.Problem(text));

    [Fact]
    public void Problem_WithLineBreaksAllowed_AcceptsTabCrLfOnly()
    {
        Assert.Null(UserText.Problem("udp\n\tor tcp\r\n", allowLineBreaks: true));
        Assert.Equal("control character U+0000 at position 4", UserText.Problem("udp\u0000", allowLineBreaks: true));
        Assert.Equal("bidirectional override U+2066 at position 1", UserText.Problem("\u2066udp", allowLineBreaks: true));
    }

    [Fact]
    public void Escape_ShowsRefusedCharactersAsEscapes() =>
        Assert.Equal("udp\\u0000 or \\u202etcp \U0001F512", UserText.Escape("udp\u0000 or \u202Etcp \U0001F512"));
}
