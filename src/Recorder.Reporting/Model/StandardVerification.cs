namespace Recorder.Reporting.Model;

/// <summary>
/// The standard independent verification of an evidence package laid out as issue 5 describes it
/// (<c>evidence/</c>, <c>manifest.json</c>, <c>manifest.sig</c>, <c>signing.pub.pem</c>,
/// <c>SHA256SUMS</c>, and the checkpoint files under a custody folder), with standard tools only
/// and then with Recorder. A caller whose package differs passes its own steps instead.
/// </summary>
public static class StandardVerification
{
    /// <summary>The steps, run from the package's top folder.</summary>
    /// <param name="checkpointFolder">Folder of <c>checkpoint.txt</c>, <c>checkpoint.sig</c>,
    /// <c>checkpoint.tsr</c> and <c>tsa.pem</c> inside the package.</param>
    /// <param name="packagePath">How the last step names the package, e.g. <c>PATH</c> or <c>.</c>.</param>
    public static IReadOnlyList<VerificationStep> Steps(string checkpointFolder = "custody", string packagePath = "PATH")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointFolder);
        ArgumentException.ThrowIfNullOrWhiteSpace(packagePath);
        var cp = checkpointFolder.TrimEnd('/');
        return
        [
            new("Check that SHA256SUMS is signed by the store key, so no file can be changed, added or removed unseen",
                "openssl pkeyutl -verify -pubin -inkey signing.pub.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig",
                "\"Signature Verified Successfully\". The files of the package (find . -type f ! -name 'SHA256SUMS*' | sort) are exactly those SHA256SUMS lists."),
            new("Check every file of the package against SHA256SUMS",
                "sha256sum -c SHA256SUMS",
                "Every line ends in \"OK\" and the command exits with status 0."),
            new("Check that manifest.json is the manifest this report describes",
                "sha256sum manifest.json",
                "The value printed equals the manifest SHA-256 on the cover of this report."),
            new("Check that the public key is the one this report names",
                "openssl pkey -pubin -in signing.pub.pem -outform DER | sha256sum",
                "The value printed equals the signing key fingerprint given in this report."),
            new("Check the Ed25519 signature over the manifest",
                "openssl pkeyutl -verify -pubin -inkey signing.pub.pem -rawin -in manifest.json -sigfile manifest.sig",
                "\"Signature Verified Successfully\"."),
            new("Check the Ed25519 signature over the ledger checkpoint",
                $"openssl pkeyutl -verify -pubin -inkey signing.pub.pem -rawin -in {cp}/checkpoint.txt -sigfile {cp}/checkpoint.sig",
                "\"Signature Verified Successfully\"."),
            new("Check the RFC 3161 time-stamp over the checkpoint",
                $"openssl ts -verify -data {cp}/checkpoint.txt -in {cp}/checkpoint.tsr -CAfile {cp}/tsa.pem",
                "\"Verification: OK\"."),
            new("Read the time-stamp's time and authority",
                $"openssl ts -reply -in {cp}/checkpoint.tsr -text",
                "\"Time stamp:\" and \"TSA:\" match the checkpoint time-stamp given in this report."),
            new("Check packet counts, times and hashes of the capture files",
                // capinfos prints packet times in the local time zone; the report gives them in UTC.
                "TZ=UTC capinfos -c -a -e -H evidence/*",
                "Packet counts, first and last packet times and SHA-256 values equal the evidence table of this report."),
            new("Check everything at once with Recorder, including every inclusion proof",
                $"recorder verify-package {packagePath}",
                "Exit status 0 and no finding; any changed, added or removed file is named."),
        ];
    }
}
