using System.Text;
using Recorder.Core.Store;
using Recorder.Core.Time;

namespace Recorder.Ledger.Checkpoints;

/// <summary>
/// A signed tree head: the checkpoint text (<see cref="CheckpointText"/>) for a tree size, root and
/// time, the raw 64-byte Ed25519 signature over exactly those bytes, the signing key's fingerprint,
/// and, when it was time-stamped, the RFC 3161 response over the same bytes.
/// </summary>
public sealed record Checkpoint
{
    /// <summary>Creates a checkpoint from its parts.</summary>
    public Checkpoint(string origin, long size, byte[] rootHash, Timestamp time, byte[] signature, string keyFingerprint)
    {
        ArgumentNullException.ThrowIfNull(rootHash);
        ArgumentNullException.ThrowIfNull(signature);
        Origin = origin;
        Size = size;
        RootHash = rootHash;
        Time = time;
        Signature = signature;
        KeyFingerprint = keyFingerprint;
        Text = CheckpointText.Format(origin, size, rootHash, time);
    }

    /// <summary>The log's origin line.</summary>
    public string Origin { get; }

    /// <summary>The tree size.</summary>
    public long Size { get; }

    /// <summary>The RFC 9162 root hash of the first <see cref="Size"/> entries.</summary>
    public byte[] RootHash { get; }

    /// <summary>When the head was signed.</summary>
    public Timestamp Time { get; }

    /// <summary>The raw Ed25519 signature (64 bytes) over <see cref="TextBytes"/>.</summary>
    public byte[] Signature { get; }

    /// <summary>Lower-case hex SHA-256 of the signing key's SubjectPublicKeyInfo DER.</summary>
    public string KeyFingerprint { get; }

    /// <summary>The exact signed text.</summary>
    public string Text { get; }

    /// <summary>The exact signed bytes (UTF-8 of <see cref="Text"/>).</summary>
    public byte[] TextBytes => Encoding.UTF8.GetBytes(Text);

    /// <summary>The DER RFC 3161 response over <see cref="TextBytes"/>, when time-stamped.</summary>
    public byte[]? TimeStampResponse { get; init; }

    /// <summary>The certificate (PEM) the time-stamp should be checked against, when time-stamped.</summary>
    public string? TimeStampAuthorityPem { get; init; }

    /// <summary>The parsed fields.</summary>
    public CheckpointBody Body => new(Origin, Size, RootHash, Time);

    /// <summary>True when <see cref="Signature"/> verifies over <see cref="TextBytes"/> with <paramref name="publicKey"/>.</summary>
    public bool VerifySignature(ISigner publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return publicKey.Verify(TextBytes, Signature);
    }
}
