using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recorder.Core.Hashing;
using Recorder.Core.Json;
using Recorder.Core.Time;
using Recorder.Storage.Store;

namespace Recorder.Api.Users;

/// <summary>A user of the service: name, role, the SHA-256 of their token, and when they were added or revoked.</summary>
/// <param name="Name">The user's name (as ledger entries show it).</param>
/// <param name="Role">The role (defined in policies/roles.json).</param>
/// <param name="TokenSha256">SHA-256 (hex) of the bearer token; the token itself is never stored.</param>
/// <param name="CreatedAt">When the user was added.</param>
/// <param name="CreatedBy">Who added them.</param>
/// <param name="RevokedAt">When the token was revoked, if it was.</param>
/// <param name="RevokedBy">Who revoked it.</param>
/// <param name="DisplayName">The person's name as reports print it (e.g. the examiner of a package), when one was given.</param>
public sealed record ServiceUser(string Name, string Role, string TokenSha256, string CreatedAt, string CreatedBy, string? RevokedAt = null, string? RevokedBy = null,
    string? DisplayName = null)
{
    /// <summary>True once revoked.</summary>
    public bool Revoked => RevokedAt is not null;

    /// <summary>JSON without the token hash (for listings).</summary>
    public JsonObject ToPublicJson() => new()
    {
        ["name"] = Name,
        ["role"] = Role,
        ["createdAt"] = CreatedAt,
        ["createdBy"] = CreatedBy,
        ["revokedAt"] = RevokedAt,
        ["revokedBy"] = RevokedBy,
        ["displayName"] = DisplayName,
    };

    /// <summary>Why <paramref name="displayName"/> cannot be a display name (null when it can).</summary>
    public static string? DisplayNameProblem(string? displayName) =>
        displayName is null ? null
        : displayName.Trim().Length is 0 or > 200 ? "1 to 200 characters"
        : displayName.Any(char.IsControl) ? "no control characters"
        : null;
}

/// <summary>A user just added, with the only copy of their token.</summary>
/// <param name="User">The stored user.</param>
/// <param name="Token">The bearer token (shown once, never stored).</param>
public sealed record NewUser(ServiceUser User, string Token);

/// <summary>The outcome of presenting a bearer token.</summary>
/// <param name="User">The user, when the token is valid.</param>
/// <param name="RevokedUser">The user whose revoked token it is (a refusal that names a user).</param>
public sealed record Authentication(ServiceUser? User, ServiceUser? RevokedUser);

/// <summary>
/// The service's users in <c>STORE/service/users.json</c> (canonical JSON, replaced atomically under
/// <c>locks/users.lock</c>, so <c>recorder user add</c> may run while the service is up; the service
/// re-reads the file when it changes). Only SHA-256 hashes of tokens are kept.
/// </summary>
public sealed partial class UserDirectory
{
    private const string Format = "recorder.service-users";
    private readonly string _path;
    private readonly string _lockPath;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private (DateTime Written, long Length) _loadedStamp;
    private IReadOnlyList<ServiceUser> _users = [];
    private Dictionary<string, ServiceUser> _byHash = [];

    /// <summary>Opens the directory of the store at <paramref name="layout"/>.</summary>
    public UserDirectory(StoreLayout layout, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _path = Path.Combine(ServiceDirectory(layout), "users.json");
        _lockPath = Path.Combine(layout.LocksDirectory, "users.lock");
        _clock = clock;
    }

    /// <summary>The service's own directory inside a store.</summary>
    public static string ServiceDirectory(StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return Path.Combine(layout.Root, "service");
    }

    /// <summary>The users file.</summary>
    public string FilePath => _path;

    /// <summary>True when <paramref name="name"/> is a valid user name: 1 to 64 characters a-z, 0-9, '.', '_' and '-', starting with a letter.</summary>
    public static bool IsValidName(string? name) => name is not null && UserName().IsMatch(name);

    /// <summary>
    /// The prefix of identity-provider users' names (<see cref="Security.JwtOptions.NamePrefix"/>'s
    /// default). A local user may not take it: <c>sso.bob</c> made locally would be taken for, or
    /// lock out, the provider's <c>bob</c>, and the ledger could no longer tell who acted.
    /// </summary>
    public const string ReservedPrefix = "sso.";

    /// <summary>Why <paramref name="name"/> cannot name a new local user; null when it can.</summary>
    public static string? LocalNameProblem(string? name) =>
        !IsValidName(name) ? $"'{Core.Text.UserText.Escape(name ?? string.Empty, 64)}' is not a valid user name: 1 to 64 characters a-z, 0-9, '.', '_' and '-', starting with a letter"
        : name!.StartsWith(ReservedPrefix, StringComparison.Ordinal) ? $"'{name}' starts with '{ReservedPrefix}', which is reserved for identity-provider users"
        : null;

    /// <summary>Every user, revoked ones included.</summary>
    public IReadOnlyList<ServiceUser> List()
    {
        Refresh();
        lock (_gate)
        {
            return _users;
        }
    }

    /// <summary>The user a token belongs to (or the revoked user it named).</summary>
    public Authentication Authenticate(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return AuthenticateHash(HashToken(token));
    }

    /// <summary>The user whose token has this SHA-256 (or the revoked user it named); for sessions started with a token.</summary>
    public Authentication AuthenticateHash(string tokenSha256)
    {
        ArgumentNullException.ThrowIfNull(tokenSha256);
        Refresh();
        var hash = tokenSha256;
        lock (_gate)
        {
            if (!_byHash.TryGetValue(hash, out var user))
            {
                return new Authentication(null, null);
            }

            return user.Revoked ? new Authentication(null, user) : new Authentication(user, null);
        }
    }

    /// <summary>Adds a user with a new random token.</summary>
    /// <exception cref="ArgumentException">Invalid name, or a user of that name exists (revoked users keep their name).</exception>
    public NewUser Add(string name, string role, string createdBy, string? displayName = null)
    {
        if (LocalNameProblem(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }

        if (ServiceUser.DisplayNameProblem(displayName) is { } displayProblem)
        {
            throw new ArgumentException(displayProblem, nameof(displayName));
        }

        var token = "rec_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        var user = new ServiceUser(name, role, HashToken(token), Timestamp.Now(_clock).ToString(), createdBy, DisplayName: displayName?.Trim());
        Update(users =>
        {
            if (users.Any(u => u.Name == name))
            {
                throw new ArgumentException($"a user named '{name}' exists already (names of revoked users are not reused, so the ledger stays unambiguous)", nameof(name));
            }

            return [.. users, user];
        });
        return new NewUser(user, token);
    }

    /// <summary>Revokes a user's token; returns the user as revoked.</summary>
    /// <exception cref="KeyNotFoundException">No such user.</exception>
    /// <exception cref="InvalidOperationException">Already revoked.</exception>
    public ServiceUser Revoke(string name, string revokedBy)
    {
        ServiceUser? revoked = null;
        Update(users =>
        {
            var existing = users.FirstOrDefault(u => u.Name == name) ?? throw new KeyNotFoundException($"no user named '{name}'");
            if (existing.Revoked)
            {
                throw new InvalidOperationException($"user '{name}' was revoked already, at {existing.RevokedAt}");
            }

            revoked = existing with { RevokedAt = Timestamp.Now(_clock).ToString(), RevokedBy = revokedBy };
            return users.Select(u => u.Name == name ? revoked : u).ToList();
        });
        return revoked!;
    }

    /// <summary>
    /// Gives a user another role; returns the user before and after. The token stays the same, so
    /// the user's sessions and scripts carry on with the new role's permissions from their next request.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such user.</exception>
    /// <exception cref="InvalidOperationException">Revoked, or the role is theirs already.</exception>
    public (ServiceUser Before, ServiceUser After) ChangeRole(string name, string role)
    {
        ArgumentNullException.ThrowIfNull(role);
        ServiceUser? before = null, after = null;
        Update(users =>
        {
            before = users.FirstOrDefault(u => u.Name == name) ?? throw new KeyNotFoundException($"no user named '{name}'");
            if (before.Revoked)
            {
                throw new InvalidOperationException($"user '{name}' was revoked at {before.RevokedAt}; a revoked user's role does not change");
            }

            if (before.Role == role)
            {
                throw new InvalidOperationException($"user '{name}' has the role '{role}' already");
            }

            after = before with { Role = role };
            return users.Select(u => u.Name == name ? after : u).ToList();
        });
        return (before!, after!);
    }

    /// <summary>SHA-256 (hex) of a token's UTF-8 bytes.</summary>
    public static string HashToken(string token) => Hex.Lower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private void Update(Func<IReadOnlyList<ServiceUser>, IReadOnlyList<ServiceUser>> change)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        using var fileLock = FileLock.Acquire(_lockPath, TimeSpan.FromSeconds(30));
        var current = ReadFile();
        var updated = change(current);
        var json = new JsonObject
        {
            ["format"] = Format,
            ["version"] = 1,
            ["users"] = new JsonArray(updated.Select(u => (JsonNode)WithDisplayName(new JsonObject
            {
                ["name"] = u.Name,
                ["role"] = u.Role,
                ["tokenSha256"] = u.TokenSha256,
                ["createdAt"] = u.CreatedAt,
                ["createdBy"] = u.CreatedBy,
                ["revokedAt"] = u.RevokedAt,
                ["revokedBy"] = u.RevokedBy,
            }, u.DisplayName)).ToArray()),
        };
        DurableFile.WriteAllBytes(_path, CanonicalJson.Serialize(json), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        lock (_gate)
        {
            _loadedStamp = default;
        }

        Refresh();
    }

    private void Refresh()
    {
        var info = new FileInfo(_path);
        var stamp = info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1L);
        lock (_gate)
        {
            if (stamp == _loadedStamp)
            {
                return;
            }
        }

        var users = ReadFile();
        lock (_gate)
        {
            _users = users;
            _byHash = users.ToDictionary(u => u.TokenSha256, StringComparer.Ordinal);
            _loadedStamp = stamp;
        }
    }

    private List<ServiceUser> ReadFile()
    {
        if (!File.Exists(_path))
        {
            return [];
        }

        try
        {
            var root = JsonNode.Parse(File.ReadAllBytes(_path))!.AsObject();
            if (root["format"]?.GetValue<string>() != Format || root["version"]?.GetValue<int>() != 1)
            {
                throw new InvalidDataException($"{_path}: not a version 1 {Format} file");
            }

            return root["users"]!.AsArray().Select(n => new ServiceUser(
                n!["name"]!.GetValue<string>(),
                n["role"]!.GetValue<string>(),
                n["tokenSha256"]!.GetValue<string>(),
                n["createdAt"]!.GetValue<string>(),
                n["createdBy"]!.GetValue<string>(),
                n["revokedAt"]?.GetValue<string>(),
                n["revokedBy"]?.GetValue<string>(),
                n["displayName"]?.GetValue<string>())).ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new InvalidDataException($"{_path}: unreadable users file: {e.Message}", e);
        }
    }

    /// <summary>displayName is written only when there is one, so files of users without one stay as they were.</summary>
    private static JsonObject WithDisplayName(JsonObject user, string? displayName)
    {
        if (displayName is not null)
        {
            user["displayName"] = displayName;
        }

        return user;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("^[a-z][a-z0-9._-]{0,63}$")]
    private static partial Regex UserName();
}
