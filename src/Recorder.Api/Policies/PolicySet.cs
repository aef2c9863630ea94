using System.Text.Json.Nodes;

namespace Recorder.Api.Policies;

/// <summary>What one role may do, and the limits placed on it.</summary>
/// <param name="Name">The role's name.</param>
/// <param name="Description">What the role is for.</param>
/// <param name="Permissions">Its permissions.</param>
/// <param name="MaxWindow">The widest time window its queries may cover (null: no limit).</param>
/// <param name="AllowedSinks">The sinks its queries may name (null: every sink).</param>
public sealed record RolePolicy(string Name, string Description, IReadOnlySet<Permission> Permissions, TimeSpan? MaxWindow, IReadOnlyList<string>? AllowedSinks)
{
    /// <summary>True when the role holds <paramref name="permission"/>.</summary>
    public bool Has(Permission permission) => Permissions.Contains(permission);

    /// <summary>True when the role's queries may name sink <paramref name="sink"/>.</summary>
    public bool MayUseSink(string sink) => AllowedSinks is null || AllowedSinks.Contains(sink, StringComparer.Ordinal);

    /// <summary>JSON for the configuration endpoint.</summary>
    public JsonObject ToJson() => new()
    {
        ["description"] = Description,
        ["permissions"] = new JsonArray(Permissions.Order().Select(p => (JsonNode)Policies.Permissions.Name(p)).ToArray()),
        ["maxWindowSeconds"] = MaxWindow is { } window ? (long)window.TotalSeconds : null,
        ["sinks"] = AllowedSinks is null ? null : new JsonArray(AllowedSinks.Select(s => (JsonNode)s).ToArray()),
    };
}

/// <summary>The kind of a sink.</summary>
public enum SinkType
{
    /// <summary>Pipes the PCAP stream into a command's standard input; keeps its output.</summary>
    Process,

    /// <summary>POSTs each chunk to a URL.</summary>
    Http,

    /// <summary>Drops each chunk into a directory.</summary>
    Folder,
}

/// <summary>A named, administrator-defined destination for query results (see docs/service.md).</summary>
public sealed record SinkDefinition
{
    /// <summary>The sink's name (a-z, 0-9 and '-'; it names artifact files).</summary>
    public required string Name { get; init; }

    /// <summary>What kind of sink.</summary>
    public required SinkType Type { get; init; }

    /// <summary>What it is for.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>Process sinks: the program (a path, or a name looked up on PATH).</summary>
    public string? Command { get; init; }

    /// <summary>Process sinks: its arguments, passed as they are (no shell).</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>HTTP sinks: where each chunk is POSTed.</summary>
    public Uri? Url { get; init; }

    /// <summary>HTTP sinks: extra request headers (values are never shown or ledgered).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>HTTP sinks: further attempts per chunk after a failure.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>Folder sinks: the directory (absolute, or relative to the store).</summary>
    public string? Directory { get; init; }

    /// <summary>
    /// Process sinks: how long the program may run once the query has ended; HTTP sinks: the
    /// timeout of each request; folder sinks: how long delivery may run once the query has ended.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Process sinks: the most output kept per stream; beyond it the sink fails.</summary>
    public long MaxOutputBytes { get; init; } = 1L << 30;

    /// <summary>JSON recorded with each query and in the ledger (header values withheld).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["name"] = Name,
            ["type"] = Type.ToString().ToLowerInvariant(),
            ["timeoutSeconds"] = Timeout.TotalSeconds,
        };
        switch (Type)
        {
            case SinkType.Process:
                json["command"] = Command;
                json["args"] = new JsonArray(Args.Select(a => (JsonNode)a).ToArray());
                json["maxOutputBytes"] = MaxOutputBytes;
                break;
            case SinkType.Http:
                json["url"] = Url!.ToString();
                json["headers"] = new JsonArray(Headers.Keys.Order(StringComparer.Ordinal).Select(h => (JsonNode)h).ToArray());
                json["retries"] = Retries;
                break;
            case SinkType.Folder:
                json["directory"] = Directory;
                break;
            default:
                throw new InvalidOperationException($"unknown sink type {Type}");
        }

        return json;
    }
}

/// <summary>The policies the service runs under: roles and sinks, loaded and validated at start.</summary>
/// <param name="Directory">The directory they came from.</param>
/// <param name="Roles">Roles by name.</param>
/// <param name="Sinks">Sinks by name.</param>
/// <param name="RolesSha256">SHA-256 of <c>roles.json</c> as loaded.</param>
/// <param name="SinksSha256">SHA-256 of <c>sinks.json</c> as loaded.</param>
public sealed record PolicySet(
    string Directory,
    IReadOnlyDictionary<string, RolePolicy> Roles,
    IReadOnlyDictionary<string, SinkDefinition> Sinks,
    string RolesSha256,
    string SinksSha256)
{
    /// <summary>The roles every policy must define.</summary>
    public static readonly IReadOnlyList<string> RequiredRoles = ["investigator", "legal", "auditor", "admin"];

    /// <summary>The file holding the roles.</summary>
    public const string RolesFileName = "roles.json";

    /// <summary>The file holding the sinks.</summary>
    public const string SinksFileName = "sinks.json";

    /// <summary>JSON for the configuration endpoint and the ledger.</summary>
    public JsonObject ToJson() => new()
    {
        ["directory"] = Directory,
        ["rolesSha256"] = RolesSha256,
        ["sinksSha256"] = SinksSha256,
        ["roles"] = new JsonObject(Roles.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => new KeyValuePair<string, JsonNode?>(r.Key, r.Value.ToJson()))),
        ["sinks"] = new JsonObject(Sinks.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new KeyValuePair<string, JsonNode?>(s.Key, s.Value.ToJson()))),
    };
}

/// <summary>A policy file that cannot be used: which file, which field, what is wrong.</summary>
public sealed class PolicyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PolicyException(string file, string field, string problem)
        : base($"{file}: {field}: {problem}")
    {
        File = file;
        Field = field;
        Problem = problem;
    }

    /// <summary>Creates the exception.</summary>
    public PolicyException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public PolicyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PolicyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The policy file.</summary>
    public string File { get; } = string.Empty;

    /// <summary>The field at fault (a JSON path such as <c>roles.investigator.permissions[2]</c>).</summary>
    public string Field { get; } = string.Empty;

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; } = string.Empty;
}
