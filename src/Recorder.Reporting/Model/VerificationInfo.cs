namespace Recorder.Reporting.Model;

/// <summary>The keys a reader checks signatures with and the steps to verify the package independently.</summary>
public sealed record VerificationInfo
{
    /// <summary>Fingerprint of the evidence store's public key (SHA-256 of its DER SubjectPublicKeyInfo).</summary>
    public required string StoreKeyFingerprint { get; init; }

    /// <summary>Fingerprint of the key that signed <c>manifest.json</c> (SHA-256 of its DER SubjectPublicKeyInfo).</summary>
    public required string SigningKeyFingerprint { get; init; }

    /// <summary>The verification steps, in order; <see cref="StandardVerification.Steps"/> gives the standard ones.</summary>
    public required IReadOnlyList<VerificationStep> Steps { get; init; }
}

/// <summary>One step of the independent verification.</summary>
/// <param name="Title">What the step checks, e.g. <c>Check every file against SHA256SUMS</c>.</param>
/// <param name="Command">The command to run in the package folder.</param>
/// <param name="Expected">What a successful check prints or shows.</param>
public sealed record VerificationStep(string Title, string Command, string Expected);
