using System.Text.Json.Nodes;
using Hangfire;
using Hangfire.States;
using Recorder.Api.Queries;
using Recorder.Api.Verification;
using Recorder.Core.Store;
using Recorder.Storage.Store;

namespace Recorder.Api.Hosting;

/// <summary>
/// Jobs left behind by a service that was killed (SIGKILL, out of memory, power loss) while they
/// ran. Hangfire shows them as processing on a server that no longer runs, and its storage hides
/// their queue entries until the invisibility timeout (5 minutes) has passed. With the embedded
/// SQLite storage there is one service per store, so the next service to start on the store knows
/// they are orphans, once it also finds the job's own lock free (a worker holds it for the whole
/// run), and hands them back to the queue at once. A second delivery of the same job (the hidden
/// entry, later) is harmless: it waits for the lock and finds the work done.
/// </summary>
internal static class OrphanedJobs
{
    /// <summary>Requeues every orphaned query and verification job and records them in the ledger; returns how many.</summary>
    public static int Requeue(ServiceRuntime runtime, JobStorage storage, IBackgroundJobClient client)
    {
        var monitoring = storage.GetMonitoringApi();

        // A service that stopped cleanly removed its server entry and handed its jobs back itself.
        var deadServers = monitoring.Servers().Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var requeued = new JsonArray();
        var count = checked((int)Math.Min(monitoring.ProcessingCount(), int.MaxValue));
        foreach (var (jobId, job) in monitoring.ProcessingJobs(0, count))
        {
            if (job?.Job is not { } call || job.ServerId is null || !deadServers.Contains(job.ServerId)
                || call.Args.Count == 0 || call.Args[0] is not string id || !QueryRepository.TryParseId(id, out id))
            {
                continue;
            }

            var (kind, lockPath) = call.Type == typeof(QueryJob) ? ("query", runtime.Queries.JobLockPath(id))
                : call.Type == typeof(VerifyJob) ? ("verification", runtime.Verifications.PathOf(id) + ".lock")
                : (null, null);
            if (kind is null || !IsFree(lockPath!))
            {
                continue;
            }

            var state = new EnqueuedState { Reason = $"its server {job.ServerId} stopped without handing it back" };
            if (client.ChangeState(jobId, state, ProcessingState.StateName))
            {
                requeued.Add(new JsonObject { ["job"] = jobId, ["kind"] = kind, ["id"] = id, ["deadServer"] = job.ServerId });
            }
        }

        if (requeued.Count > 0)
        {
            runtime.Store.Record(LedgerActions.ServiceRecovered, new JsonObject { ["node"] = runtime.NodeName }, new Dictionary<string, string>(),
                new JsonObject { ["requeuedJobs"] = requeued });
        }

        return requeued.Count;
    }

    private static bool IsFree(string lockPath)
    {
        using var taken = FileLock.TryAcquireExisting(lockPath, out var missing);
        return missing || taken is not null;
    }
}
