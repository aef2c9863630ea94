using Recorder.Ledger.Checkpoints;
using Recorder.Ledger.Entries;

namespace Recorder.Ledger;

/// <summary>Settings of a <see cref="CustodyLedger"/>; validated when the ledger opens.</summary>
public sealed record LedgerOptions
{
    /// <summary>
    /// The first line of every checkpoint: which log this is, e.g. <c>recorder.store/&lt;storeId&gt;</c>.
    /// 1 to 255 visible ASCII characters. A ledger opened with another origin than the one in its
    /// heads is refused.
    /// </summary>
    public required string Origin { get; init; }

    /// <summary>The actor of drafts that name none. Default: the OS user running this process.</summary>
    public LedgerActor? DefaultActor { get; init; }

    /// <summary>
    /// Time-stamp the latest signed head automatically when the last RFC 3161 checkpoint is older
    /// than this (checked after each commit; the time-stamp itself is made in the background, so the
    /// append does not wait for the authority). Null: only on request (<see cref="CustodyLedger.Checkpoint"/>).
    /// Default one hour.
    /// </summary>
    public TimeSpan? TimeStampInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// After a failed automatic time-stamp, how long until the background worker tries again (by
    /// itself, whether or not anything is appended meanwhile). Default 5 minutes.
    /// </summary>
    public TimeSpan TimeStampRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait for another process's lock before giving up. Default 30 s.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The most entries one group commit writes. Default 10 000.</summary>
    public int MaxBatchEntries { get; init; } = 10_000;

    /// <summary>
    /// Opt-in, for an operator who has examined the finding: complete entries after the last signed
    /// head (which Recorder never writes, so someone without the key did) are moved to a
    /// <c>ledger.torn-*</c> file and the move is recorded, instead of the ledger refusing to open.
    /// </summary>
    public bool QuarantineUncoveredEntries { get; init; }

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        CheckpointText.ValidateOrigin(Origin);
        DefaultActor?.Validate();
        if (TimeStampInterval is { } interval && interval <= TimeSpan.Zero)
        {
            throw new ArgumentException("TimeStampInterval must be positive (or null for on request only)", nameof(TimeStampInterval));
        }

        if (TimeStampRetryDelay <= TimeSpan.Zero)
        {
            throw new ArgumentException("TimeStampRetryDelay must be positive", nameof(TimeStampRetryDelay));
        }

        if (LockTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("LockTimeout must be positive", nameof(LockTimeout));
        }

        if (MaxBatchEntries is < 1 or > 1_000_000)
        {
            throw new ArgumentException("MaxBatchEntries must be between 1 and 1 000 000", nameof(MaxBatchEntries));
        }
    }
}
