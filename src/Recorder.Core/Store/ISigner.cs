namespace Recorder.Core.Store;

/// <summary>
/// Signs exact byte sequences (manifests, checkpoints) with the store's key. Implementations must
/// produce signatures that standard tools verify without Recorder (e.g. raw Ed25519, RFC 8032).
/// </summary>
public interface ISigner
{
    /// <summary>The algorithm name, e.g. <c>Ed25519</c>.</summary>
    string Algorithm { get; }

    /// <summary>The public key as DER SubjectPublicKeyInfo.</summary>
    byte[] PublicKeyDer { get; }

    /// <summary>SHA-256 of <see cref="PublicKeyDer"/>, lower-case hex: the key's fingerprint.</summary>
    string Fingerprint { get; }

    /// <summary>Signs <paramref name="message"/>.</summary>
    byte[] Sign(ReadOnlySpan<byte> message);

    /// <summary>Verifies a signature made by this key.</summary>
    bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);
}
