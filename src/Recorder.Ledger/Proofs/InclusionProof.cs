using Recorder.Ledger.Checkpoints;
using Recorder.Ledger.Merkle;

namespace Recorder.Ledger.Proofs;

/// <summary>
/// Proof that an entry is leaf <see cref="LeafIndex"/> of the tree a signed checkpoint commits to
/// (RFC 9162 §2.1.3): the entry's exact bytes, the audit path, and the checkpoint.
/// </summary>
/// <param name="LeafIndex">The entry's sequence number.</param>
/// <param name="Entry">The entry's exact line bytes (no newline).</param>
/// <param name="AuditPath">The RFC 9162 inclusion path, leaf side first.</param>
/// <param name="Checkpoint">The signed checkpoint (possibly time-stamped) the proof is against.</param>
public sealed record InclusionProof(long LeafIndex, byte[] Entry, IReadOnlyList<byte[]> AuditPath, Checkpoint Checkpoint)
{
    /// <summary>The checkpoint's tree size.</summary>
    public long TreeSize => Checkpoint.Size;

    /// <summary>The entry's leaf hash, SHA-256(0x00 ‖ entry).</summary>
    public byte[] LeafHash => MerkleHash.Leaf(Entry);

    /// <summary>True when the path leads from the entry to the checkpoint's root (the signature is not checked here).</summary>
    public bool VerifyPath() => MerkleProofs.VerifyInclusion(LeafIndex, TreeSize, LeafHash, AuditPath, Checkpoint.RootHash);
}

/// <summary>
/// Proof that the tree of <see cref="First"/> is a prefix of the tree of <see cref="Second"/>
/// (RFC 9162 §2.1.4): nothing the first checkpoint covered was changed or removed later.
/// </summary>
/// <param name="First">The older checkpoint (its signature is empty when the caller had none).</param>
/// <param name="Second">The newer checkpoint.</param>
/// <param name="Path">The RFC 9162 consistency path.</param>
public sealed record ConsistencyProof(Checkpoint First, Checkpoint Second, IReadOnlyList<byte[]> Path)
{
    /// <summary>True when the path proves the first root a prefix of the second (signatures are not checked here).</summary>
    public bool VerifyPath() => MerkleProofs.VerifyConsistency(First.Size, Second.Size, First.RootHash, Second.RootHash, Path);
}

/// <summary>Whether today's ledger extends a checkpoint obtained earlier.</summary>
/// <param name="Extends">True when the checkpoint's tree is a prefix of today's ledger.</param>
/// <param name="Failure">Why not, when <see cref="Extends"/> is false.</param>
/// <param name="Checkpoint">The checkpoint's fields, when its text could be read.</param>
/// <param name="LedgerSize">Today's number of entries.</param>
/// <param name="SignatureChecked">True when a signature was supplied and verified with the store key.</param>
/// <param name="Proof">The consistency proof from the checkpoint to today's latest signed head, when it extends.</param>
public sealed record CheckpointExtension(bool Extends, string? Failure, CheckpointBody? Checkpoint, long LedgerSize, bool SignatureChecked, ConsistencyProof? Proof);
