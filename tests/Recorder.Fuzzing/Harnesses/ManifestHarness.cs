using Recorder.Application.Packaging;

namespace Recorder.Fuzzing.Harnesses;

/// <summary>
/// An evidence package's <c>manifest.json</c> through <see cref="PackageVerifier"/>: the input is
/// written as the manifest of an otherwise empty package folder and the folder verified. The
/// verifier's contract is a report listing every finding, so any exception at all is a crash
/// (a package is exactly the kind of input an outside party hands over).
/// </summary>
internal sealed class ManifestHarness : IFuzzHarness, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"recorder-fuzz-package-{Environment.ProcessId}");

    public ManifestHarness()
    {
        Directory.CreateDirectory(_folder);
    }

    public string Name => "manifest";

    public string Description => "PackageVerifier.Verify on a package whose manifest.json is the input; refusal: findings in the report";

    public void Run(ReadOnlySpan<byte> input)
    {
        File.WriteAllBytes(Path.Combine(_folder, "manifest.json"), input.ToArray());
        _ = PackageVerifier.Verify(_folder);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
