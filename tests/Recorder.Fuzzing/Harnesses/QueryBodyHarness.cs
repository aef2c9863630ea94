using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Api.Policies;
using Recorder.Api.Queries;

namespace Recorder.Fuzzing.Harnesses;

/// <summary>
/// The body of <c>POST /api/queries</c> as the service reads it: JSON parsing as in
/// <c>RequestBody.ReadObjectAsync</c> (a <see cref="JsonException"/> or a non-object is a 400),
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

    public string Description => "JSON body + QuerySubmission.Parse (POST /api/queries); refusal: JsonException, non-object, field errors";

    public void Run(ReadOnlySpan<byte> input)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(input);
        }
        catch (JsonException)
        {
            return;
        }

        if (node is JsonObject body)
        {
            _ = QuerySubmission.Parse(body, Policies, Investigator, bpfAvailable: false, bpfUnavailable: "not in fuzzing");
        }
    }
}
