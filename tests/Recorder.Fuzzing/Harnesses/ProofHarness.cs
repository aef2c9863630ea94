using Recorder.Ledger.Proofs;
using Recorder.Signing;

namespace Recorder.Fuzzing.Harnesses;

/// <summary>
/// <c>ProofFile.Verify</c> on an inclusion or consistency proof file. Its contract is a report: every problem, including a
/// file that is not JSON, is a line in <see cref="ProofVerification.Problems"/>, so any exception
/// at all is a crash.
/// </summary>
internal sealed class ProofHarness : IFuzzHarness
{
    // A fixed key, so a run is reproducible: signatures in fuzzed files will not verify, which the
    // verifier reports as a problem and goes on; the seeds carry no signature (allowed, noted) so
    // that mutations reach the Merkle checks.
    private const string PublicKeyPem = """
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VwAyEAxN/nNx9eZ+MFT1q8s8vsethJVmA0HaCA5PY33yrJDMU=
        -----END PUBLIC KEY-----
        """;

    private readonly Ed25519Key _key = Ed25519Key.FromPem(PublicKeyPem);

    public string Name => "proof";

    public string Description => "ProofFile.Verify (inclusion and consistency proof files); refusal: problems in the report";

    public void Run(ReadOnlySpan<byte> input) => _ = ProofFile.Verify(input, _key);
}
