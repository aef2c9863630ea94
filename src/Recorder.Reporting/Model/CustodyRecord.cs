using Recorder.Core.Time;

namespace Recorder.Reporting.Model;

/// <summary>The custody ledger entries concerning the evidence and the checkpoint they are proven against.</summary>
/// <param name="Entries">The entries; the report lists them in ledger (sequence) order.</param>
/// <param name="Checkpoint">The signed, time-stamped checkpoint every entry's inclusion proof is checked against.</param>
public sealed record CustodyRecord(IReadOnlyList<CustodyEntry> Entries, CheckpointRecord Checkpoint);

/// <summary>One custody ledger entry.</summary>
/// <param name="Sequence">Sequence number in the ledger (unique).</param>
/// <param name="Time">Time recorded in the entry (UTC).</param>
/// <param name="Actor">Who acted (user and host).</param>
/// <param name="Action">Action name, e.g. <c>segment.sealed</c>.</param>
/// <param name="Subject">A one-line summary of what the action concerned.</param>
/// <param name="EntryHash">SHA-256 of the entry's canonical bytes.</param>
public sealed record CustodyEntry(long Sequence, Timestamp Time, string Actor, string Action, string Subject, string EntryHash);

/// <summary>A signed ledger checkpoint.</summary>
/// <param name="TreeSize">Number of ledger entries the Merkle tree covers.</param>
/// <param name="RootHash">Merkle tree root hash (RFC 9162).</param>
/// <param name="Time">Checkpoint time (UTC).</param>
/// <param name="SignatureStatus">What checking its Ed25519 signature found, printed as given.</param>
/// <param name="TimeStamp">Its RFC 3161 time-stamp.</param>
public sealed record CheckpointRecord(long TreeSize, string RootHash, Timestamp Time, string SignatureStatus, TimeStampRecord TimeStamp);

/// <summary>An RFC 3161 time-stamp token over a checkpoint.</summary>
/// <param name="Time">The token's genTime (UTC).</param>
/// <param name="Authority">The time-stamp authority (its certificate subject).</param>
/// <param name="BuiltInAuthority">True when the authority is the one built into Recorder rather than an independent one.</param>
/// <param name="Status">What checking the token found, printed as given.</param>
public sealed record TimeStampRecord(Timestamp Time, string Authority, bool BuiltInAuthority, string Status);
