using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Api.Hosting;
using Recorder.Api.Policies;
using Recorder.Capture.Filtering;
using Recorder.Core.Query;
using Recorder.Core.Text;
using Recorder.Core.Time;

namespace Recorder.Api.Queries;

/// <summary>The body of <c>POST /api/queries</c> (for the OpenAPI document; the service parses the JSON itself to name every bad field).</summary>
/// <param name="Case">The case number (required, at most 200 characters).</param>
/// <param name="Reason">Why the packets are extracted (required, at most 4000 characters).</param>
/// <param name="Filter">What to extract.</param>
/// <param name="Sinks">Names of sinks (from policies/sinks.json) that receive the result as it is written.</param>
/// <param name="AllowPartial">
/// When some sealed segment that may hold matches cannot be read: true ends the query <c>succeeded</c>
/// with <c>result.partial</c> true and the segments listed; false or absent ends it <c>failed</c>.
/// </param>
/// <param name="Secrets">
/// True or absent: the result carries, as pcapng Decryption Secrets Blocks in front of each ClientHello,
/// the secrets of stored TLS key logs for the connections in it (the result is then pcapng whenever a
/// stored key log holds secrets), and the query's record and <c>extraction.written</c> entry state them
/// under <c>secrets</c>. False: none (<c>secrets.enabled</c> false), as <c>recorder query --no-secrets</c>.
/// </param>
public sealed record QuerySubmissionBody(string Case, string Reason, QueryFilterBody? Filter, IReadOnlyList<string>? Sinks, bool? AllowPartial = null,
    bool? Secrets = null);

/// <summary>The filter of a query: conditions of different kinds combine with AND, repeats of one kind with OR.</summary>
/// <param name="Hosts">Addresses or CIDR blocks, matching source or destination.</param>
/// <param name="Ports">Ports, matching source or destination.</param>
/// <param name="Proto">Deprecated name of <paramref name="Protocols"/>, still accepted (give one of the two).</param>
/// <param name="From">Window start, inclusive: RFC 3339 UTC or Unix epoch seconds.</param>
/// <param name="To">Window end, exclusive.</param>
/// <param name="Bpf">A libpcap filter expression applied to the candidates.</param>
/// <param name="Protocols">tcp, udp, icmp, icmp6 or a protocol number (one, or a list): the canonical name, as in <c>normalizedFilter</c>.</param>
/// <param name="Sessions">
/// Sessions to extract whole (<c>SEGMENT:ID</c> as a session search answers them; OR). Not combined with
/// hosts, ports or protocols; from, to and bpf apply on top.
/// </param>
/// <param name="SessionsOf">
/// A session search whose sessions are extracted whole (the search is ledgered as <c>sessions.searched</c>);
/// refused when nothing matches or a segment of its window has no session metadata.
/// </param>
public sealed record QueryFilterBody(IReadOnlyList<string>? Hosts, IReadOnlyList<int>? Ports, IReadOnlyList<string>? Proto, string? From, string? To, string? Bpf,
    IReadOnlyList<string>? Protocols = null, IReadOnlyList<string>? Sessions = null, Hosting.SessionFilterBody? SessionsOf = null);

/// <summary>The sessions a query extracts, as submitted and checked, before they are resolved into conversations.</summary>
/// <param name="Named">The sessions named in <c>filter.sessions</c>.</param>
/// <param name="Search">The search of <c>filter.sessionsOf</c>, if given.</param>
internal sealed record SessionRequest(IReadOnlyList<Storage.Sessions.SessionReference> Named, Recorder.Sessions.Search.SessionFilter? Search);

/// <summary>A submission checked field by field.</summary>
/// <param name="Case">The case number.</param>
/// <param name="Reason">The reason.</param>
/// <param name="Filter">The filter text.</param>
/// <param name="Query">The parsed query.</param>
/// <param name="Sinks">The sinks named.</param>
/// <param name="AllowPartial">Whether a partial answer (segments left out) is accepted.</param>
/// <param name="Sessions">The sessions to extract, still to be resolved (null: a query by hosts, ports and protocols).</param>
internal sealed record ParsedSubmission(string Case, string Reason, QueryFilterText Filter, PacketQuery Query, IReadOnlyList<SinkDefinition> Sinks,
    bool AllowPartial, SessionRequest? Sessions = null)
{
    /// <summary>Whether the result carries the matching secrets of stored key logs (the body's <c>secrets</c>, true when absent).</summary>
    public bool WithSecrets { get; init; } = true;
}

/// <summary>
/// Checks a query submission: every field is typed and named in the problem it causes
/// (<c>filter.hosts[1]</c>, <c>filter.bpf</c>, <c>sinks[0]</c>); unknown fields are refused, since a
/// misspelt condition would otherwise widen the extraction silently. The filter goes through the same
/// parser as <c>recorder query</c>, BPF through libpcap.
/// </summary>
internal static class QuerySubmission
{
    private static readonly string[] TopFields = ["case", "reason", "filter", "sinks", "allowPartial", "secrets"];
    private static readonly string[] FilterFields = ["hosts", "ports", "protocols", "proto", "from", "to", "bpf", "sessions", "sessionsOf"];

    /// <summary>Parses the body; bad input gives every field error (400), a policy limit gives 403 errors.</summary>
    public static (ParsedSubmission? Submission, IReadOnlyList<FieldError> Invalid, IReadOnlyList<FieldError> Refused) Parse(
        JsonObject body, PolicySet policies, RolePolicy role, bool bpfAvailable, string? bpfUnavailable)
    {
        var errors = RequestBody.UnknownFields(body, TopFields).ToList();

        var caseId = Text(body, "case", 200, errors);
        var reason = Text(body, "reason", 4000, errors);
        var allowPartial = body["allowPartial"] switch
        {
            null => false,
            JsonValue flag when flag.GetValueKind() is JsonValueKind.True or JsonValueKind.False => flag.GetValue<bool>(),
            _ => AddError(errors, new FieldError("allowPartial", "must be true or false")),
        };
        var withSecrets = body["secrets"] switch
        {
            null => true,
            JsonValue flag when flag.GetValueKind() is JsonValueKind.True or JsonValueKind.False => flag.GetValue<bool>(),
            _ => AddError(errors, new FieldError("secrets", "must be true or false")),
        };
        var hosts = new List<string>();
        var ports = new List<string>();
        var protocols = new List<string>();
        string? from = null, to = null, bpf = null;
        SessionRequest? sessions = null;
        var protocolField = "protocols";
        switch (body["filter"])
        {
            case null:
                break;
            case JsonObject filter:
                errors.AddRange(RequestBody.UnknownFields(filter, FilterFields, "filter."));

                hosts = Strings(filter["hosts"], "filter.hosts", numbers: false, errors);
                ports = Strings(filter["ports"], "filter.ports", numbers: true, errors);
                // "protocols" is the canonical name (normalizedFilter, the CLI's JSON); "proto" is still accepted.
                protocolField = filter.ContainsKey("protocols") ? "protocols" : "proto";
                if (filter.ContainsKey("protocols") && filter.ContainsKey("proto"))
                {
                    errors.Add(new FieldError("filter.proto", "give filter.protocols or its older name filter.proto, not both"));
                }

                protocols = filter[protocolField] is JsonValue single ? Strings(new JsonArray(single.DeepClone()), "filter." + protocolField, numbers: true, errors)
                    : Strings(filter[protocolField], "filter." + protocolField, numbers: true, errors);
                from = Time(filter["from"], "filter.from", errors);
                to = Time(filter["to"], "filter.to", errors);
                bpf = OptionalString(filter["bpf"], "filter.bpf", errors);
                sessions = SessionRequests(filter, hosts.Count > 0 || ports.Count > 0 || protocols.Count > 0, errors);
                break;
            default:
                errors.Add(new FieldError("filter", "must be an object"));
                break;
        }

        var text = new QueryFilterText { Hosts = hosts, Ports = ports, Proto = protocols, From = from, To = to, Bpf = bpf };

        // An error in the protocols is named by the field the request used for them.
        var names = QueryArgumentNames.Json with { Protocol = _ => "filter." + protocolField };
        var parsed = QueryParser.Parse(new QueryText { Hosts = hosts, Ports = ports, Protocols = protocols, From = from, To = to, Bpf = bpf },
            names);
        errors.AddRange(parsed.Errors.Select(e => new FieldError(e.Argument, e.Message)));
        if (parsed.Query?.Bpf is { } expression)
        {
            if (!bpfAvailable)
            {
                errors.Add(new FieldError("filter.bpf", bpfUnavailable ?? "libpcap is not available"));
            }
            else if (!PcapFilterCompiler.Validate(expression, out var bpfError))
            {
                errors.Add(new FieldError("filter.bpf", bpfError));
            }
        }

        var sinks = new List<SinkDefinition>();
        var refused = new List<FieldError>();
        switch (body["sinks"])
        {
            case null:
                break;
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    var field = $"sinks[{i}]";
                    if (list[i] is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
                    {
                        errors.Add(new FieldError(field, "must be a sink name"));
                        continue;
                    }

                    var name = value.GetValue<string>();
                    if (!policies.Sinks.TryGetValue(name, out var sink))
                    {
                        errors.Add(new FieldError(field, $"no sink named '{Clip(name)}' (defined: {string.Join(", ", policies.Sinks.Keys.Order(StringComparer.Ordinal))})"));
                    }
                    else if (sinks.Any(s => s.Name == name))
                    {
                        errors.Add(new FieldError(field, $"sink '{name}' is named twice"));
                    }
                    else if (!role.MayUseSink(name))
                    {
                        refused.Add(new FieldError(field, $"your role '{role.Name}' may not use sink '{name}'"));
                    }
                    else
                    {
                        sinks.Add(sink);
                    }
                }

                break;
            default:
                errors.Add(new FieldError("sinks", "must be an array of sink names"));
                break;
        }

        if (errors.Count > 0 || caseId is null || reason is null || parsed.Query is null)
        {
            return (null, errors, []);
        }

        // A query by sessions gets its window from the sessions: the role's limit is checked once they are resolved.
        refused.AddRange(sessions is null ? WindowRefusals(role, parsed.Query) : []);
        return refused.Count > 0 ? (null, [], refused) : (new ParsedSubmission(caseId, reason, text, parsed.Query, sinks, allowPartial, sessions) { WithSecrets = withSecrets }, [], []);
    }

    /// <summary>What the role's widest window refuses of <paramref name="query"/> (403 errors; none when the role has no limit).</summary>
    public static IReadOnlyList<FieldError> WindowRefusals(RolePolicy role, PacketQuery query)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(query);
        var refused = new List<FieldError>();
        if (role.MaxWindow is { } widest)
        {
            var limit = FormatDuration(widest);
            if (query.From is null)
            {
                refused.Add(new FieldError("filter.from", $"your role '{role.Name}' must give a time window of at most {limit}"));
            }

            if (query.To is null)
            {
                refused.Add(new FieldError("filter.to", $"your role '{role.Name}' must give a time window of at most {limit}"));
            }

            if (query.From is { } start && query.To is { } end && WidthNanoseconds(start, end) > (Int128)widest.Ticks * 100)
            {
                refused.Add(new FieldError("filter.to", $"the window from {start} to {end} is wider than your role '{role.Name}' may query ({limit})"));
            }
        }

        return refused;
    }

    /// <summary>
    /// <c>filter.sessions</c> and <c>filter.sessionsOf</c>, checked; null when neither is given.
    /// They replace hosts, ports and protocols (the sessions name their own flows), as on the command line.
    /// </summary>
    private static SessionRequest? SessionRequests(JsonObject filter, bool hasFlowConditions, List<FieldError> errors)
    {
        if (filter["sessions"] is null && filter["sessionsOf"] is null)
        {
            return null;
        }

        var before = errors.Count;
        var named = new List<Storage.Sessions.SessionReference>();
        var references = Strings(filter["sessions"], "filter.sessions", numbers: false, errors);
        for (var i = 0; i < references.Count; i++)
        {
            if (Storage.Sessions.SessionReference.Parse(references[i]) is { } reference)
            {
                named.Add(reference);
            }
            else
            {
                errors.Add(new FieldError($"filter.sessions[{i}]", $"'{Clip(references[i])}' is not SEGMENT:ID (two whole numbers, as a session search answers them)"));
            }
        }

        var search = filter["sessionsOf"] is { } of ? Sessions.SessionFilterJson.Parse(of, "filter.sessionsOf", requireCondition: true, errors) : null;
        if (hasFlowConditions)
        {
            errors.Add(new FieldError(filter["sessions"] is null ? "filter.sessionsOf" : "filter.sessions",
                "cannot be combined with hosts, ports or protocols (give them in filter.sessionsOf as host, port, proto)"));
        }

        if (filter["sessions"] is not null && named.Count == 0 && errors.Count == before)
        {
            errors.Add(new FieldError("filter.sessions", "names no session"));
        }

        return errors.Count > before ? null : new SessionRequest(named, search);
    }

    private static bool AddError(List<FieldError> errors, FieldError error)
    {
        errors.Add(error);
        return false;
    }

    /// <summary>A required, trimmed, non-empty text field of at most <paramref name="maxLength"/> characters without control characters.</summary>
    internal static string? Text(JsonObject body, string key, int maxLength, List<FieldError> errors)
    {
        var node = body[key];
        if (node is null)
        {
            errors.Add(new FieldError(key, "required"));
            return null;
        }

        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            errors.Add(new FieldError(key, "must be a string"));
            return null;
        }

        var text = value.GetValue<string>().Trim();
        if (text.Length == 0)
        {
            errors.Add(new FieldError(key, "must not be empty"));
            return null;
        }

        if (text.Length > maxLength)
        {
            errors.Add(new FieldError(key, $"at most {maxLength} characters"));
            return null;
        }

        if (UserText.Problem(text) is { } unsafeText)
        {
            errors.Add(new FieldError(key, $"{unsafeText}: no control characters or bidirectional overrides"));
            return null;
        }

        return text;
    }

    private static List<string> Strings(JsonNode? node, string field, bool numbers, List<FieldError> errors)
    {
        var result = new List<string>();
        if (node is null)
        {
            return result;
        }

        if (node is not JsonArray array)
        {
            errors.Add(new FieldError(field, numbers ? "must be an array of strings or numbers" : "must be an array of strings"));
            return result;
        }

        for (var i = 0; i < array.Count; i++)
        {
            var item = array[i] as JsonValue;
            var kind = item?.GetValueKind();
            if (kind == JsonValueKind.String)
            {
                result.Add(item!.GetValue<string>());
            }
            else if (numbers && kind == JsonValueKind.Number)
            {
                result.Add(item!.ToJsonString());
            }
            else
            {
                errors.Add(new FieldError($"{field}[{i}]", numbers ? "must be a string or a number" : "must be a string"));
            }
        }

        return result;
    }

    private static string? Time(JsonNode? node, string field, List<FieldError> errors)
    {
        if (node is null)
        {
            return null;
        }

        var kind = (node as JsonValue)?.GetValueKind();
        if (kind == JsonValueKind.String)
        {
            return node.GetValue<string>();
        }

        if (kind == JsonValueKind.Number)
        {
            return node.ToJsonString();
        }

        errors.Add(new FieldError(field, "must be an RFC 3339 time or Unix epoch seconds"));
        return null;
    }

    private static string? OptionalString(JsonNode? node, string field, List<FieldError> errors)
    {
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            return value.GetValue<string>();
        }

        errors.Add(new FieldError(field, "must be a string"));
        return null;
    }

    /// <summary>
    /// The window's width in 128 bits: two valid timestamps can be further apart than a 64-bit
    /// nanosecond count holds (1678 to 2262 is 1.8e19 ns), and that must be refused, not overflow.
    /// </summary>
    private static Int128 WidthNanoseconds(Timestamp start, Timestamp end) => (Int128)end.UnixNanoseconds - start.UnixNanoseconds;

    private static string Clip(string text) => text.Length > 64 ? text[..64] + "…" : text;

    private static string FormatDuration(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays)
            ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays} day(s)")
            : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds} s");
}
