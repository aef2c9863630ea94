using Recorder.Reporting.Model;

namespace Recorder.Reporting.Tests.Model;

public sealed class ReportModelValidatorTests
{
    [Fact]
    public void Validate_SampleModels_Pass()
    {
        ReportModelValidator.Validate(SampleReports.Typical());
        ReportModelValidator.Validate(SampleReports.Large());
    }

    public static TheoryData<string, Func<ReportModel, ReportModel>> Broken() => new()
    {
        { "ManifestSha256", m => m with { ManifestSha256 = "ABC" } },
        { "Files[1].Sha256", m => m with { Files = [m.Files[0], m.Files[1] with { Sha256 = m.Files[1].Sha256.ToUpperInvariant() }] } },
        { "Files[0].Md5", m => m with { Files = [m.Files[0] with { Md5 = m.Files[0].Sha1 }] } },
        { "Files[0].LastPacket", m => m with { Files = [m.Files[0] with { LastPacket = m.Files[0].FirstPacket!.Value with { UnixNanoseconds = 0 } }] } },
        { "Case.Id", m => m with { Case = m.Case with { Id = " " } } },
        { "Custody.Entries[1].Sequence", m => m with { Custody = m.Custody with { Entries = [m.Custody.Entries[0], m.Custody.Entries[1] with { Sequence = m.Custody.Entries[0].Sequence }] } } },
        { "Custody.Entries[0].EntryHash", m => m with { Custody = m.Custody with { Entries = [m.Custody.Entries[0] with { EntryHash = "" }] } } },
        { "Custody.Checkpoint.RootHash", m => m with { Custody = m.Custody with { Checkpoint = m.Custody.Checkpoint with { RootHash = new string('g', 64) } } } },
        { "Traffic.Ports[0].Port", m => m with { Traffic = m.Traffic with { Ports = [new PortTraffic("TCP", 70000, 1, 1)] } } },
        { "Traffic.Series.BucketNanoseconds", m => m with { Traffic = m.Traffic with { Series = m.Traffic.Series with { BucketNanoseconds = 0 } } } },
        { "Provenance.Acquisitions[0].Interface", m => m with { Provenance = m.Provenance with { Acquisitions = [m.Provenance.Acquisitions[0] with { Interface = null }] } } },
        { "Provenance.Acquisitions[1].OriginalFiles[0].Sha256", m => m with { Provenance = m.Provenance with { Acquisitions = [m.Provenance.Acquisitions[0], m.Provenance.Acquisitions[1] with { OriginalFiles = [new OriginalFile("x.pcap", 1, "00")] }] } } },
        { "Verification.Steps", m => m with { Verification = m.Verification with { Steps = [] } } },
        { "Request.Reason", m => m with { Request = m.Request with { Reason = "line\u0007bell" } } },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Validate_BrokenField_ThrowsNamingIt(string field, Func<ReportModel, ReportModel> breakIt)
    {
        var e = Assert.Throws<InvalidReportModelException>(() => ReportModelValidator.Validate(breakIt(SampleReports.Typical())));
        Assert.Equal(field, e.Field);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_InvalidModel_ThrowsBeforeWritingAnything()
    {
        var model = SampleReports.Typical() with { ManifestSha256 = "not a hash" };
        using var output = new MemoryStream();
        var e = Assert.Throws<InvalidReportModelException>(() => new ReportRenderer(Recorder.Reporting.Templates.CertificationTemplateSet.LoadDefaults()).Render(model, output));
        Assert.Equal("ManifestSha256", e.Field);
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public void StandardSteps_UseTheGivenCheckpointFolderAndPackagePath()
    {
        var steps = StandardVerification.Steps("proofs/", "/media/usb/pkg-7");
        Assert.Contains(steps, s => s.Command == "openssl ts -verify -data proofs/checkpoint.txt -in proofs/checkpoint.tsr -CAfile proofs/tsa.pem");
        Assert.Equal("recorder verify-package /media/usb/pkg-7", steps[^1].Command);
        Assert.Equal("openssl pkeyutl -verify -pubin -inkey signing.pub.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig", steps[0].Command);
        Assert.Equal("sha256sum -c SHA256SUMS", steps[1].Command);
    }
}
