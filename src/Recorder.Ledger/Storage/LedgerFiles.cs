namespace Recorder.Ledger.Storage;

/// <summary>The names of the files in a ledger directory (docs/ledger-format.md §Files).</summary>
public static class LedgerFiles
{
    /// <summary>The ledger itself: the only source of truth.</summary>
    public const string Ledger = "ledger.jsonl";

    /// <summary>The cross-process lock file (empty; its exclusive flock is the lock).</summary>
    public const string Lock = "ledger.lock";

    /// <summary>Derived data (rebuildable from the ledger): leaf offsets, stored subtree hashes, head index.</summary>
    public const string TreeDirectory = "tree";

    /// <summary>Time-stamped checkpoints: <c>&lt;size&gt;.txt</c>, <c>.sig</c>, <c>.tsr</c>, <c>.tsa.pem</c>.</summary>
    public const string CheckpointsDirectory = "checkpoints";

    /// <summary>Prefix of files holding bytes cut from the ledger's tail by crash recovery.</summary>
    public const string TornPrefix = "ledger.torn-";

    /// <summary>Suffix of a torn file whose cut is not yet recorded in the ledger.</summary>
    public const string PendingSuffix = ".pending";
}
