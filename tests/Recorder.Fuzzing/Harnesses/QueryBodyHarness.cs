using Recorder.Api.Hosting;
using Recorder.Api.Policies;
using Recorder.Api.Queries;

namespace Recorder.Fuzzing.Harnesses;

/// <summary>
/// The body of <c>POST /api/queries</c> as the service reads it: <c>RequestBody.ParseObject</c>
/// (bytes that are not UTF-8, invalid JSON, duplicate names, lone surrogates, a non-object are 400s),
/// then <c>QuerySubmission.Parse</c>, whose refusals are field errors in its result. Any other
/// exception would be a 500, so it is a crash. BPF is reported unavailable so that a run does not
/// depend on libpcap (its compiler is not ours to fuzz).
/// </summary>
internal sealed class QueryBodyHarness : IFuzzHarness
{
    private static readonly RolePolicy Investigator = new("investigator", "fuzzing", new HashSet<Permission> { Permission.QueriesSubmit },
        TimeSpan.FromDays(7), AllowedSinks: null);

    private static readonly PolicySet Policies = new("fuzz", new Dictionary<string, RolePolicy> { ["investigator"] = Investigator },
        new Dictionary<string, SinkDefinition>(), RolesSha256: "", SinksSha256: "");

    public string Name => "query-body";

    public string Description => "JSON body + QuerySubmission.Parse (POST /api/queries); refusal: body errors, field errors";

    public void Run(ReadOnlySpan<byte> input)
    {
        // The service's own boundary (RequestBody.ParseObject), not a copy of it: what it lets
        // through is what the endpoint reads.
        var (body, _) = RequestBody.ParseObject(input.ToArray());
        if (body is not null)
        {
            _ = QuerySubmission.Parse(body, Policies, Investigator, bpfAvailable: false, bpfUnavailable: "not in fuzzing");
        }
    }
}
