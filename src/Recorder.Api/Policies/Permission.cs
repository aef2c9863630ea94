namespace Recorder.Api.Policies;

/// <summary>
/// What a role may do. Persisted in <c>policies/roles.json</c> as the names in
/// <see cref="Permissions.Names"/>; values may only be added.
/// </summary>
public enum Permission
{
    /// <summary><c>queries.submit</c>: submit queries (POST /api/queries).</summary>
    QueriesSubmit,

    /// <summary><c>queries.read.own</c>: see the status and history of one's own queries.</summary>
    QueriesReadOwn,

    /// <summary><c>queries.read.all</c>: see the status and history of everyone's queries (no packet data).</summary>
    QueriesReadAll,

    /// <summary><c>queries.cancel.own</c>: cancel one's own queries.</summary>
    QueriesCancelOwn,

    /// <summary><c>queries.cancel.all</c>: cancel anyone's queries.</summary>
    QueriesCancelAll,

    /// <summary><c>results.read.own</c>: read the packets, chunks and sink artifacts of one's own queries.</summary>
    ResultsReadOwn,

    /// <summary><c>results.read.all</c>: read the packets, chunks and sink artifacts of every query.</summary>
    ResultsReadAll,

    /// <summary><c>packages.build</c>: build evidence packages (the endpoint comes with a later release).</summary>
    PackagesBuild,

    /// <summary><c>reports.build</c>: read the report of a package (built with every package).</summary>
    ReportsBuild,

    /// <summary><c>ledger.read</c>: read ledger entries and checkpoints.</summary>
    LedgerRead,

    /// <summary><c>ledger.prove</c>: obtain inclusion proofs.</summary>
    LedgerProve,

    /// <summary><c>verify.run</c>: run and read store verifications.</summary>
    VerifyRun,

    /// <summary><c>segments.read</c>: read segment metadata (never their packets).</summary>
    SegmentsRead,

    /// <summary><c>users.manage</c>: list, add and revoke users.</summary>
    UsersManage,

    /// <summary><c>config.read</c>: read the service configuration (policies, sinks, storage).</summary>
    ConfigRead,

    /// <summary><c>dashboard</c>: the Hangfire dashboard at /hangfire.</summary>
    Dashboard,

    /// <summary><c>capture.control</c>: start and stop live capture.</summary>
    CaptureControl,
}

/// <summary>The persisted names of <see cref="Permission"/> values.</summary>
public static class Permissions
{
    /// <summary>Name → permission, as written in <c>policies/roles.json</c>.</summary>
    public static readonly IReadOnlyDictionary<string, Permission> Names = new Dictionary<string, Permission>(StringComparer.Ordinal)
    {
        ["queries.submit"] = Permission.QueriesSubmit,
        ["queries.read.own"] = Permission.QueriesReadOwn,
        ["queries.read.all"] = Permission.QueriesReadAll,
        ["queries.cancel.own"] = Permission.QueriesCancelOwn,
        ["queries.cancel.all"] = Permission.QueriesCancelAll,
        ["results.read.own"] = Permission.ResultsReadOwn,
        ["results.read.all"] = Permission.ResultsReadAll,
        ["packages.build"] = Permission.PackagesBuild,
        ["reports.build"] = Permission.ReportsBuild,
        ["ledger.read"] = Permission.LedgerRead,
        ["ledger.prove"] = Permission.LedgerProve,
        ["verify.run"] = Permission.VerifyRun,
        ["segments.read"] = Permission.SegmentsRead,
        ["users.manage"] = Permission.UsersManage,
        ["config.read"] = Permission.ConfigRead,
        ["dashboard"] = Permission.Dashboard,
        ["capture.control"] = Permission.CaptureControl,
    };

    /// <summary>The persisted name of <paramref name="permission"/>.</summary>
    public static string Name(Permission permission) =>
        Names.First(p => p.Value == permission).Key;
}
