using Recorder.Ledger.Tests.Support;
using Recorder.TestSupport;

namespace Recorder.Ledger.Tests.Checkpoints;

public sealed class CheckpointExportTests : IDisposable
{
    private readonly TestLedger _t = new();

    public void Dispose() => _t.Dispose();

    [SkippableFact]
    public void ExportCheckpoint_FilesVerifyWithOpenSslPkeyutlAndTs()
    {
        Skip.IfNot(OpenSsl.IsAvailable, "openssl is not installed");
        _t.AppendMany(12, perBatch: 5);
        var outDir = Path.Combine(_t.Root, "export");
        var keyPem = Path.Combine(_t.Root, "key.pem");
        File.WriteAllText(keyPem, _t.Key.PublicKeyPem());

        var checkpoint = _t.Ledger.ExportCheckpoint(outDir);

        var signature = OpenSsl.Run("pkeyutl", "-verify", "-pubin", "-inkey", keyPem, "-rawin",
            "-in", Path.Combine(outDir, "checkpoint.txt"), "-sigfile", Path.Combine(outDir, "checkpoint.sig"));
        var stamp = OpenSsl.Run("ts", "-verify", "-data", Path.Combine(outDir, "checkpoint.txt"),
            "-in", Path.Combine(outDir, "checkpoint.tsr"), "-CAfile", Path.Combine(outDir, "tsa.pem"));
        Assert.True(signature.ExitCode == 0, signature.Output);
        Assert.Contains("Signature Verified Successfully", signature.Output, StringComparison.Ordinal);
        Assert.True(stamp.ExitCode == 0, stamp.Output);
        Assert.Contains("Verification: OK", stamp.Output, StringComparison.Ordinal);
        Assert.Equal(12, checkpoint.Size);
        Assert.Equal(64, new FileInfo(Path.Combine(outDir, "checkpoint.sig")).Length);
    }

    [SkippableFact]
    public void ExportCheckpoint_WhenTheTextIsChanged_OpenSslRejectsBothSignatureAndTimeStamp()
    {
        Skip.IfNot(OpenSsl.IsAvailable, "openssl is not installed");
        _t.AppendMany(3);
        var outDir = Path.Combine(_t.Root, "export");
        var keyPem = Path.Combine(_t.Root, "key.pem");
        File.WriteAllText(keyPem, _t.Key.PublicKeyPem());
        _t.Ledger.ExportCheckpoint(outDir);
        var text = Path.Combine(outDir, "checkpoint.txt");
        File.WriteAllText(text, File.ReadAllText(text).Replace("\n3\n", "\n4\n", StringComparison.Ordinal));

        var signature = OpenSsl.Run("pkeyutl", "-verify", "-pubin", "-inkey", keyPem, "-rawin", "-in", text, "-sigfile", Path.Combine(outDir, "checkpoint.sig"));
        var stamp = OpenSsl.Run("ts", "-verify", "-data", text, "-in", Path.Combine(outDir, "checkpoint.tsr"), "-CAfile", Path.Combine(outDir, "tsa.pem"));

        Assert.NotEqual(0, signature.ExitCode);
        Assert.NotEqual(0, stamp.ExitCode);
    }

    [Fact]
    public void ExportCheckpoint_OfAnEarlierSize_ExportsThatHead()
    {
        _t.AppendMany(9, perBatch: 3);

        var checkpoint = _t.Ledger.ExportCheckpoint(Path.Combine(_t.Root, "export"), size: 6);

        Assert.Equal(6, checkpoint.Size);
        Assert.Equal(checkpoint.TextBytes, File.ReadAllBytes(Path.Combine(_t.Root, "export", "checkpoint.txt")));
        Assert.True(_t.Ledger.VerifyExtends(checkpoint.Text, checkpoint.Signature).Extends);
    }
}
