using System.ComponentModel;
using System.Text.Json.Nodes;
using Hangfire;
using Recorder.Api.Hosting;
using Recorder.Api.Queries;
using Recorder.Application;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Storage.Store;

namespace Recorder.Api.Verification;

/// <summary>
/// The Hangfire job behind <c>POST /api/verify</c>: the whole verification of <c>recorder verify</c>
/// (segments, signatures, manifest chain, index, ledger, and each against the other), recorded in the
/// ledger as <c>verify.completed</c> under the user who asked. Takes the run's id; re-entrant like
/// <see cref="QueryJob"/> (a run already done is not repeated).
/// </summary>
public sealed class VerifyJob
{
    private readonly ServiceRuntime _runtime;

    /// <summary>Created by Hangfire's activator.</summary>
    public VerifyJob(ServiceRuntime runtime) => _runtime = runtime;

    /// <summary>Runs verification <paramref name="verificationId"/>.</summary>
    [DisplayName("verify {0}")]
    [AutomaticRetry(Attempts = 2)]
    public void Run(string verificationId, CancellationToken cancellationToken)
    {
        if (!QueryRepository.TryParseId(verificationId, out var id) || _runtime.Verifications.Load(id) is not { } run)
        {
            return;
        }

        var lockPath = _runtime.Verifications.PathOf(id) + ".lock";
        using var runLock = FileLock.Acquire(lockPath, TimeSpan.FromHours(12), cancellationToken);
        run = _runtime.Verifications.Load(id)!;
        if (run["state"]?.GetValue<string>() is "succeeded" or "failed")
        {
            return;
        }

        var user = run["requestedBy"]!.GetValue<string>();
        run["state"] = "running";
        run["startedAt"] = Timestamp.Now(_runtime.Clock).ToString();
        run["node"] = _runtime.NodeName;
        _runtime.Verifications.Save(id, run);
        try
        {
            var report = StoreAudit.Verify(_runtime.Store, [], cancellationToken);
            var seq = _runtime.Ledger.Record(user, LedgerActions.VerifyCompleted, new JsonObject { ["storeId"] = _runtime.Store.StoreId, ["verificationId"] = id },
                null, new JsonObject
                {
                    ["passed"] = report.Passed,
                    ["findings"] = report.Findings.Count,
                    ["segmentsChecked"] = report.SegmentsChecked,
                    ["packetsChecked"] = report.PacketsChecked,
                    ["bytesHashed"] = report.BytesHashed,
                    ["firstFindings"] = new JsonArray(report.Findings.Take(20).Select(f => (JsonNode)f.ToJson()).ToArray()),
                    ["node"] = _runtime.NodeName,
                });
            run["state"] = "succeeded";
            run["passed"] = report.Passed;
            run["report"] = report.ToJson();
            run["ledgerSeq"] = seq;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            run["state"] = "queued";
            _runtime.Verifications.Save(id, run);
            throw;
        }
        catch (Exception e)
        {
            run["state"] = "failed";
            run["error"] = $"{e.GetType().Name}: {e.Message}";
        }

        run["finishedAt"] = Timestamp.Now(_runtime.Clock).ToString();
        _runtime.Verifications.Save(id, run);
    }
}
