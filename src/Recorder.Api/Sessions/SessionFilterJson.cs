using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Api.Hosting;
using Recorder.Sessions.Search;

namespace Recorder.Api.Sessions;

/// <summary>
/// A session search's filter as JSON: an object with the options of <c>recorder sessions</c> under
/// the names the ledger writes them (<c>sni</c>, <c>hostHeader</c>, <c>certSha256</c>, …), each a
/// string (<c>port</c> and <c>from</c>/<c>to</c> may be numbers). The values go through the same
/// parser as the command line; an error names the field (<c>filter.ja3</c>, <c>filter.sessionsOf.port</c>).
/// </summary>
internal static class SessionFilterJson
{
    /// <summary>The fields, in the order the ledger lists them.</summary>
    public static readonly IReadOnlyList<string> Fields =
        ["sni", "domain", "url", "hostHeader", "userAgent", "ja3", "ja4", "certSha256", "fileSha256", "app", "host", "port", "proto", "from", "to"];

    private static readonly HashSet<string> NumberFields = ["port", "from", "to"];

    /// <summary>
    /// Parses <paramref name="node"/> (the filter object at <paramref name="path"/>); null with the
    /// errors added to <paramref name="errors"/> when a field is unknown, mistyped or bad.
    /// <paramref name="requireCondition"/> refuses an empty filter (it would select every session).
    /// </summary>
    public static SessionFilter? Parse(JsonNode? node, string path, bool requireCondition, List<FieldError> errors)
    {
        if (node is not JsonObject filter)
        {
            errors.Add(new FieldError(path, node is null ? "required" : "must be an object"));
            return null;
        }

        var before = errors.Count;
        errors.AddRange(RequestBody.UnknownFields(filter, [.. Fields], path + "."));
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in Fields)
        {
            switch (filter[field])
            {
                case null:
                    break;
                case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                    values[field] = value.GetValue<string>();
                    break;
                case JsonValue number when NumberFields.Contains(field) && number.GetValueKind() == JsonValueKind.Number:
                    values[field] = number.ToJsonString();
                    break;
                default:
                    errors.Add(new FieldError($"{path}.{field}", NumberFields.Contains(field) ? "must be a string or a number" : "must be a string"));
                    break;
            }
        }

        if (errors.Count > before)
        {
            return null;
        }

        if (requireCondition && values.Count == 0)
        {
            errors.Add(new FieldError(path, $"give at least one of {string.Join(", ", Fields)}"));
            return null;
        }

        string? Get(string name) => values.GetValueOrDefault(name);
        var (parsed, error) = SessionFilter.Parse(new SessionFilterArguments
        {
            Sni = Get("sni"), Domain = Get("domain"), Url = Get("url"), HostHeader = Get("hostHeader"), UserAgent = Get("userAgent"),
            Ja3 = Get("ja3"), Ja4 = Get("ja4"), CertSha256 = Get("certSha256"), FileSha256 = Get("fileSha256"), App = Get("app"),
            Host = Get("host"), Port = Get("port"), Proto = Get("proto"), From = Get("from"), To = Get("to"),
        });
        if (parsed is null)
        {
            errors.Add(new FieldError($"{path}.{FieldOf(error!.Option)}", Clip(error.Message)));
        }

        return parsed;
    }

    /// <summary>The JSON name of a command-line option (<c>--host-header</c> → <c>hostHeader</c>).</summary>
    private static string FieldOf(string option)
    {
        var parts = option.TrimStart('-').Split('-');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
    }

    private static string Clip(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
