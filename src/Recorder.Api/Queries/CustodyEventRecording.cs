using Recorder.Api.Audit;
using Recorder.Core.Store;

namespace Recorder.Api.Queries;

/// <summary>Records the events <see cref="Application.Queries.QueryCustodyEvents"/> shapes in the service's ledger.</summary>
internal static class CustodyEventRecording
{
    /// <summary>Durably records <paramref name="custodyEvent"/> under service user <paramref name="userName"/>; returns its sequence number.</summary>
    public static long Record(this ServiceLedger ledger, string userName, CustodyEvent custodyEvent) =>
        ledger.Record(userName, custodyEvent.Action, custodyEvent.Subjects, custodyEvent.Hashes, custodyEvent.Details, custodyEvent.Case, custodyEvent.Reason);
}
