using PdfSharp.Fonts;
using Recorder.Reporting.Fonts;

namespace Recorder.Reporting.Tests.Fonts;

public sealed class ReportFontResolverTests
{
    [Theory]
    [InlineData(ReportFontResolver.SansFamily, false, false)]
    [InlineData(ReportFontResolver.SansFamily, true, false)]
    [InlineData(ReportFontResolver.SansFamily, false, true)]
    [InlineData(ReportFontResolver.MonoFamily, false, false)]
    [InlineData(ReportFontResolver.SerifFamily, false, false)]
    [InlineData(ReportFontResolver.SerifFamily, true, false)]
    public void Resolve_ReportFamilies_GivesAShippedTrueTypeFont(string family, bool bold, bool italic)
    {
        var resolver = new ReportFontResolver();
        var info = resolver.ResolveTypeface(family, bold, italic);
        Assert.NotNull(info);
        Assert.False(info.MustSimulateBold);
        Assert.False(info.MustSimulateItalic);
        var font = resolver.GetFont(info.FaceName);
        Assert.NotNull(font);
        Assert.True(font.Length > 100_000);
        Assert.Equal(new byte[] { 0, 1, 0, 0 }, font[..4]); // TrueType sfnt version 1.0
    }

    [Fact]
    public void Resolve_OtherFamily_GoesToTheInnerResolverOrNowhere()
    {
        Assert.Null(new ReportFontResolver().ResolveTypeface("Arial", false, false));
        var inner = new FixedResolver();
        var chained = new ReportFontResolver(inner);
        Assert.Equal("arial-face", chained.ResolveTypeface("Arial", false, false)!.FaceName);
        Assert.Equal([1, 2, 3], chained.GetFont("arial-face"));
    }

    [Fact]
    public void Setup_InstallsWhenNoneAcceptsOursOrAChainAndRejectsAForeignResolver()
    {
        Assert.Equal(ReportFontSetup.Decision.Install, ReportFontSetup.Decide(null));
        Assert.Equal(ReportFontSetup.Decision.Accept, ReportFontSetup.Decide(new ReportFontResolver()));
        Assert.Equal(ReportFontSetup.Decision.Reject, ReportFontSetup.Decide(new FixedResolver()));
        Assert.Equal(ReportFontSetup.Decision.Accept, ReportFontSetup.Decide(new Wrapping(new ReportFontResolver(new FixedResolver()))));
    }

    private sealed class FixedResolver : IFontResolver
    {
        public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
            familyName == "Arial" ? new FontResolverInfo("arial-face") : null;

        public byte[]? GetFont(string faceName) => faceName == "arial-face" ? [1, 2, 3] : null;
    }

    // A host's own resolver that delegates to ours: accepted although it is not a ReportFontResolver.
    private sealed class Wrapping(IFontResolver inner) : IFontResolver
    {
        public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) => inner.ResolveTypeface(familyName, bold, italic);

        public byte[]? GetFont(string faceName) => inner.GetFont(faceName);
    }
}
