using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recorder.Core.Hashing;

namespace Recorder.Api.Policies;

/// <summary>
/// Loads <c>roles.json</c> and <c>sinks.json</c> from a policy directory and validates every field:
/// the first problem found stops the load with a <see cref="PolicyException"/> naming the file and
/// the field (the service refuses to start rather than run under a policy it misread).
/// </summary>
public static partial class PolicyLoader
{
    /// <summary>The environment variable naming the policy directory when none is given.</summary>
    public const string EnvironmentVariable = "RECORDER_POLICIES";

    /// <summary>
    /// The policy directory to use: <paramref name="given"/>, else <c>$RECORDER_POLICIES</c>, else the
    /// defaults shipped beside the program (<c>policies/</c> next to it).
    /// </summary>
    public static string Resolve(string? given)
    {
        if (!string.IsNullOrEmpty(given))
        {
            return Path.GetFullPath(given);
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return !string.IsNullOrEmpty(fromEnvironment)
            ? Path.GetFullPath(fromEnvironment)
            : Path.Combine(AppContext.BaseDirectory, "policies");
    }

    /// <summary>Loads and validates the policies in <paramref name="directory"/>.</summary>
    /// <exception cref="PolicyException">A file is missing, not JSON, or a field is invalid.</exception>
    public static PolicySet Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var full = Path.GetFullPath(directory);
        var sinksFile = Path.Combine(full, PolicySet.SinksFileName);
        var rolesFile = Path.Combine(full, PolicySet.RolesFileName);
        var (sinksRoot, sinksSha) = Read(sinksFile);
        var sinks = ParseSinks(sinksFile, sinksRoot);
        var (rolesRoot, rolesSha) = Read(rolesFile);
        var roles = ParseRoles(rolesFile, rolesRoot, sinks);
        return new PolicySet(full, roles, sinks, rolesSha, sinksSha);
    }

    private static (JsonObject Root, string Sha256) Read(string file)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyException(file, "(file)", $"cannot be read: {e.Message}");
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new PolicyException(file, "(file)", $"not valid JSON: {e.Message}");
        }

        if (node is not JsonObject root)
        {
            throw new PolicyException(file, "(root)", "must be a JSON object");
        }

        return (root, Hex.Lower(SHA256.HashData(bytes)));
    }

    private static Dictionary<string, SinkDefinition> ParseSinks(string file, JsonObject root)
    {
        var fields = new Fields(file);
        fields.Only(root, string.Empty, "format", "version", "description", "sinks");
        fields.Expect(root, "format", "recorder.sinks");
        fields.ExpectVersion(root);
        var sinks = new Dictionary<string, SinkDefinition>(StringComparer.Ordinal);
        var list = fields.Object(root, "sinks", string.Empty, required: true)!;
        foreach (var (name, value) in list)
        {
            var path = "sinks." + name;
            if (!SinkName().IsMatch(name))
            {
                throw new PolicyException(file, path, "a sink name is 1 to 64 characters a-z, 0-9 and '-', starting with a letter or digit");
            }

            if (value is not JsonObject sink)
            {
                throw new PolicyException(file, path, "must be an object");
            }

            var type = fields.String(sink, "type", path, required: true) switch
            {
                "process" => SinkType.Process,
                "http" => SinkType.Http,
                "folder" => SinkType.Folder,
                var other => throw new PolicyException(file, path + ".type", $"'{other}' is not process, http or folder"),
            };
            var description = fields.String(sink, "description", path) ?? string.Empty;
            var definition = new SinkDefinition { Name = name, Type = type, Description = description };
            switch (type)
            {
                case SinkType.Process:
                    fields.Only(sink, path, "type", "description", "command", "args", "timeoutSeconds", "maxOutputBytes");
                    var command = fields.String(sink, "command", path, required: true)!;
                    if (command.Length == 0 || command.Contains('\0', StringComparison.Ordinal))
                    {
                        throw new PolicyException(file, path + ".command", "must name a program");
                    }

                    definition = definition with
                    {
                        Command = command,
                        Args = fields.Strings(sink, "args", path) ?? [],
                        Timeout = fields.Seconds(sink, "timeoutSeconds", path, TimeSpan.FromMinutes(2)),
                        MaxOutputBytes = fields.Integer(sink, "maxOutputBytes", path, 1, long.MaxValue) ?? (1L << 30),
                    };
                    break;
                case SinkType.Http:
                    fields.Only(sink, path, "type", "description", "url", "headers", "timeoutSeconds", "retries");
                    var url = fields.String(sink, "url", path, required: true)!;
                    if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                    {
                        throw new PolicyException(file, path + ".url", $"'{url}' is not an absolute http or https URL");
                    }

                    var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    if (fields.Object(sink, "headers", path) is { } headerObject)
                    {
                        foreach (var (header, headerValue) in headerObject)
                        {
                            if (!HeaderName().IsMatch(header))
                            {
                                throw new PolicyException(file, $"{path}.headers.{header}", "not a valid HTTP header name");
                            }

                            if (headerValue is not JsonValue text || text.GetValueKind() != JsonValueKind.String)
                            {
                                throw new PolicyException(file, $"{path}.headers.{header}", "must be a string");
                            }

                            headers[header] = text.GetValue<string>();
                        }
                    }

                    definition = definition with
                    {
                        Url = uri,
                        Headers = headers,
                        Timeout = fields.Seconds(sink, "timeoutSeconds", path, TimeSpan.FromSeconds(30)),
                        Retries = (int)(fields.Integer(sink, "retries", path, 0, 10) ?? 2),
                    };
                    break;
                case SinkType.Folder:
                    fields.Only(sink, path, "type", "description", "directory", "timeoutSeconds");
                    var directory = fields.String(sink, "directory", path, required: true)!;
                    if (directory.Length == 0 || directory.Contains('\0', StringComparison.Ordinal))
                    {
                        throw new PolicyException(file, path + ".directory", "must name a directory");
                    }

                    definition = definition with { Directory = directory, Timeout = fields.Seconds(sink, "timeoutSeconds", path, TimeSpan.FromMinutes(2)) };
                    break;
                default:
                    throw new InvalidOperationException($"unknown sink type {type}");
            }

            sinks.Add(name, definition);
        }

        return sinks;
    }

    private static Dictionary<string, RolePolicy> ParseRoles(string file, JsonObject root, IReadOnlyDictionary<string, SinkDefinition> sinks)
    {
        var fields = new Fields(file);
        fields.Only(root, string.Empty, "format", "version", "description", "roles");
        fields.Expect(root, "format", "recorder.roles");
        fields.ExpectVersion(root);
        var roles = new Dictionary<string, RolePolicy>(StringComparer.Ordinal);
        foreach (var (name, value) in fields.Object(root, "roles", string.Empty, required: true)!)
        {
            var path = "roles." + name;
            if (!RoleName().IsMatch(name))
            {
                throw new PolicyException(file, path, "a role name is 1 to 32 characters a-z, 0-9 and '-', starting with a letter");
            }

            if (value is not JsonObject role)
            {
                throw new PolicyException(file, path, "must be an object");
            }

            fields.Only(role, path, "description", "permissions", "limits");
            var permissions = new HashSet<Permission>();
            var names = fields.Strings(role, "permissions", path, required: true)!;
            for (var i = 0; i < names.Count; i++)
            {
                if (!Permissions.Names.TryGetValue(names[i], out var permission))
                {
                    throw new PolicyException(file, $"{path}.permissions[{i}]",
                        $"unknown permission '{names[i]}' (known: {string.Join(", ", Permissions.Names.Keys)})");
                }

                permissions.Add(permission);
            }

            TimeSpan? maxWindow = null;
            IReadOnlyList<string>? allowedSinks = null;
            if (fields.Object(role, "limits", path) is { } limits)
            {
                var limitsPath = path + ".limits";
                fields.Only(limits, limitsPath, "maxWindowSeconds", "sinks");
                if (fields.Integer(limits, "maxWindowSeconds", limitsPath, 1, 100L * 365 * 86400) is { } seconds)
                {
                    maxWindow = TimeSpan.FromSeconds(seconds);
                }

                if (fields.Strings(limits, "sinks", limitsPath) is { } allowed && !allowed.Contains("*"))
                {
                    for (var i = 0; i < allowed.Count; i++)
                    {
                        if (!sinks.ContainsKey(allowed[i]))
                        {
                            throw new PolicyException(file, $"{limitsPath}.sinks[{i}]", $"no sink named '{allowed[i]}' in {PolicySet.SinksFileName}");
                        }
                    }

                    allowedSinks = allowed;
                }
            }

            if (name == "auditor" && (permissions.Contains(Permission.ResultsReadOwn) || permissions.Contains(Permission.ResultsReadAll)))
            {
                throw new PolicyException(file, path + ".permissions", "an auditor never reads packet data: results.read.own and results.read.all are not allowed");
            }

            roles.Add(name, new RolePolicy(name, fields.String(role, "description", path) ?? string.Empty, permissions, maxWindow, allowedSinks));
        }

        foreach (var required in PolicySet.RequiredRoles)
        {
            if (!roles.ContainsKey(required))
            {
                throw new PolicyException(file, "roles." + required, "missing: every policy defines the roles " + string.Join(", ", PolicySet.RequiredRoles));
            }
        }

        return roles;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex SinkName();

    [GeneratedRegex("^[a-z][a-z0-9-]{0,31}$")]
    private static partial Regex RoleName();

    [GeneratedRegex("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")]
    private static partial Regex HeaderName();

    /// <summary>Typed access to the fields of one file, with problems naming file and field.</summary>
    private sealed class Fields(string file)
    {
        public void Only(JsonObject node, string path, params string[] allowed)
        {
            foreach (var (key, _) in node)
            {
                if (!allowed.Contains(key, StringComparer.Ordinal))
                {
                    throw new PolicyException(file, Join(path, key), $"unknown field (allowed here: {string.Join(", ", allowed)})");
                }
            }
        }

        public void Expect(JsonObject node, string key, string expected)
        {
            var value = String(node, key, string.Empty, required: true);
            if (value != expected)
            {
                throw new PolicyException(file, key, $"must be \"{expected}\", found \"{value}\"");
            }
        }

        public void ExpectVersion(JsonObject node)
        {
            var version = Integer(node, "version", string.Empty, 0, int.MaxValue);
            if (version != 1)
            {
                throw new PolicyException(file, "version", $"this Recorder reads version 1, found {version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}");
            }
        }

        public string? String(JsonObject node, string key, string path, bool required = false)
        {
            var value = node[key];
            if (value is null)
            {
                return required ? throw new PolicyException(file, Join(path, key), "missing") : null;
            }

            if (value is not JsonValue text || text.GetValueKind() != JsonValueKind.String)
            {
                throw new PolicyException(file, Join(path, key), "must be a string");
            }

            return text.GetValue<string>();
        }

        public List<string>? Strings(JsonObject node, string key, string path, bool required = false)
        {
            var value = node[key];
            if (value is null)
            {
                return required ? throw new PolicyException(file, Join(path, key), "missing") : null;
            }

            if (value is not JsonArray array)
            {
                throw new PolicyException(file, Join(path, key), "must be an array of strings");
            }

            var result = new List<string>();
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is not JsonValue item || item.GetValueKind() != JsonValueKind.String)
                {
                    throw new PolicyException(file, $"{Join(path, key)}[{i}]", "must be a string");
                }

                result.Add(item.GetValue<string>());
            }

            return result;
        }

        public JsonObject? Object(JsonObject node, string key, string path, bool required = false)
        {
            var value = node[key];
            if (value is null)
            {
                return required ? throw new PolicyException(file, Join(path, key), "missing") : null;
            }

            return value as JsonObject ?? throw new PolicyException(file, Join(path, key), "must be an object");
        }

        public long? Integer(JsonObject node, string key, string path, long min, long max)
        {
            var value = node[key];
            if (value is null)
            {
                return null;
            }

            if (value is not JsonValue number || number.GetValueKind() != JsonValueKind.Number || !number.TryGetValue<long>(out var result))
            {
                throw new PolicyException(file, Join(path, key), "must be a whole number");
            }

            if (result < min || result > max)
            {
                throw new PolicyException(file, Join(path, key), $"must be between {min} and {max}, found {result}");
            }

            return result;
        }

        public TimeSpan Seconds(JsonObject node, string key, string path, TimeSpan fallback)
        {
            var value = node[key];
            if (value is null)
            {
                return fallback;
            }

            if (value is not JsonValue number || number.GetValueKind() != JsonValueKind.Number || !number.TryGetValue<double>(out var seconds)
                || !double.IsFinite(seconds) || seconds <= 0 || seconds > 86_400)
            {
                throw new PolicyException(file, Join(path, key), "must be a number of seconds above 0 and at most 86400");
            }

            return TimeSpan.FromSeconds(seconds);
        }

        private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;
    }
}
