using System.Globalization;
using System.Net;

namespace Recorder.Sessions.Search;

/// <summary>The filter options of a session search as the user wrote them (null: not given).</summary>
public sealed record SessionFilterArguments
{
    /// <summary><c>--sni</c>: TLS or QUIC server name (of either ClientHello).</summary>
    public string? Sni { get; init; }

    /// <summary><c>--domain</c>: a DNS question name, a TLS/QUIC SNI or an HTTP Host.</summary>
    public string? Domain { get; init; }

    /// <summary><c>--url</c>: an HTTP request target, or host + target.</summary>
    public string? Url { get; init; }

    /// <summary><c>--host-header</c>: an HTTP Host header.</summary>
    public string? HostHeader { get; init; }

    /// <summary><c>--user-agent</c>: an HTTP User-Agent.</summary>
    public string? UserAgent { get; init; }

    /// <summary><c>--ja3</c>: JA3 (of either ClientHello, when a HelloRetryRequest made the client send two) or JA3S (32 hex digits).</summary>
    public string? Ja3 { get; init; }

    /// <summary><c>--ja4</c>: JA4 (TLS or QUIC, of either ClientHello) or JA4S.</summary>
    public string? Ja4 { get; init; }

    /// <summary><c>--file-sha256</c>: SHA-256 of a file the session carried (an HTTP body, an SMTP attachment).</summary>
    public string? FileSha256 { get; init; }

    /// <summary><c>--cert-sha256</c>: SHA-256 of a certificate of the chain (64 hex digits).</summary>
    public string? CertSha256 { get; init; }

    /// <summary><c>--app</c>: the identified application (<c>dns</c>, <c>http</c>, <c>tls</c>, <c>unknown</c>…).</summary>
    public string? App { get; init; }

    /// <summary><c>--host</c>: an IPv4 or IPv6 address, either side.</summary>
    public string? Host { get; init; }

    /// <summary><c>--port</c>: a port, either side.</summary>
    public string? Port { get; init; }

    /// <summary><c>--proto</c>: <c>tcp</c>, <c>udp</c>, <c>icmp</c>, <c>icmp6</c>, <c>sctp</c> or a protocol number.</summary>
    public string? Proto { get; init; }

    /// <summary><c>--from</c>: sessions whose last packet is at or after this time (ISO 8601 UTC, or Unix seconds).</summary>
    public string? From { get; init; }

    /// <summary><c>--to</c>: sessions whose first packet is before this time.</summary>
    public string? To { get; init; }
}

/// <summary>Why a filter option was refused.</summary>
/// <param name="Option">The option at fault, as written on the command line (<c>--port</c>).</param>
/// <param name="Message">What is wrong with its value.</param>
public sealed record SessionFilterError(string Option, string Message);

/// <summary>
/// A parsed session search: every given option must match (AND). Names (<c>--sni --domain --url
/// --host-header --user-agent</c>) match case-insensitively, whole value, with <c>*</c> standing for
/// any run of characters (<c>*.example.com</c>); fingerprints and hashes match exactly (case-insensitive).
/// </summary>
public sealed class SessionFilter
{
    private static readonly Dictionary<string, int> Protocols = new(StringComparer.OrdinalIgnoreCase)
    {
        ["icmp"] = 1, ["tcp"] = 6, ["udp"] = 17, ["icmp6"] = 58, ["icmpv6"] = 58, ["sctp"] = 132,
    };

    private SessionFilter(SessionFilterArguments arguments) => Arguments = arguments;

    /// <summary>The options as given.</summary>
    public SessionFilterArguments Arguments { get; }

    /// <summary>Lower bound of the time window (Unix ns), or null.</summary>
    public long? FromNanoseconds { get; private init; }

    /// <summary>Upper bound (exclusive) of the time window (Unix ns), or null.</summary>
    public long? ToNanoseconds { get; private init; }

    /// <summary><c>--host</c> parsed, or null.</summary>
    public IPAddress? HostAddress { get; private init; }

    /// <summary><c>--port</c> parsed, or null.</summary>
    public int? PortNumber { get; private init; }

    /// <summary><c>--proto</c> as a protocol number, or null.</summary>
    public int? ProtocolNumber { get; private init; }

    /// <summary>Parses <paramref name="arguments"/>; on failure the error names the option at fault.</summary>
    public static (SessionFilter? Filter, SessionFilterError? Error) Parse(SessionFilterArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        foreach (var (option, value) in new[]
                 {
                     ("--sni", arguments.Sni), ("--domain", arguments.Domain), ("--url", arguments.Url), ("--host-header", arguments.HostHeader),
                     ("--user-agent", arguments.UserAgent), ("--app", arguments.App), ("--ja4", arguments.Ja4),
                 })
        {
            if (value is not null && value.Trim().Length == 0)
            {
                return (null, new SessionFilterError(option, "empty value"));
            }
        }

        if (arguments.Ja3 is { } ja3 && !IsHex(ja3, 32))
        {
            return (null, new SessionFilterError("--ja3", $"'{ja3}' is not a JA3 hash (32 hexadecimal digits)"));
        }

        if (arguments.FileSha256 is { } file && !IsHex(file, 64))
        {
            return (null, new SessionFilterError("--file-sha256", $"'{file}' is not a SHA-256 (64 hexadecimal digits)"));
        }

        if (arguments.CertSha256 is { } cert && !IsHex(cert, 64))
        {
            return (null, new SessionFilterError("--cert-sha256", $"'{cert}' is not a SHA-256 (64 hexadecimal digits)"));
        }

        IPAddress? host = null;
        if (arguments.Host is { } hostText && !TryParseAddress(hostText, out host))
        {
            return (null, new SessionFilterError("--host", $"'{hostText}' is not an IPv4 or IPv6 address"));
        }

        int? port = null;
        if (arguments.Port is { } portText)
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p > 65535)
            {
                return (null, new SessionFilterError("--port", $"'{portText}' is not a port (0-65535)"));
            }

            port = p;
        }

        int? protocol = null;
        if (arguments.Proto is { } protoText)
        {
            if (Protocols.TryGetValue(protoText, out var known))
            {
                protocol = known;
            }
            else if (int.TryParse(protoText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= 255)
            {
                protocol = number;
            }
            else
            {
                return (null, new SessionFilterError("--proto", $"'{protoText}' is not tcp, udp, icmp, icmp6, sctp or a protocol number (0-255)"));
            }
        }

        long? from = null, to = null;
        if (arguments.From is { } fromText)
        {
            if (!TryParseTime(fromText, out var f))
            {
                return (null, new SessionFilterError("--from", $"'{fromText}' is not a time (ISO 8601 such as 2026-12-07T10:00:00Z, or Unix seconds)"));
            }

            from = f;
        }

        if (arguments.To is { } toText)
        {
            if (!TryParseTime(toText, out var t))
            {
                return (null, new SessionFilterError("--to", $"'{toText}' is not a time (ISO 8601 such as 2026-12-07T10:00:00Z, or Unix seconds)"));
            }

            to = t;
        }

        if (from is not null && to is not null && to <= from)
        {
            return (null, new SessionFilterError("--to", "the window is empty: --to is not after --from"));
        }

        return (new SessionFilter(arguments)
        {
            HostAddress = host,
            PortNumber = port,
            ProtocolNumber = protocol,
            FromNanoseconds = from,
            ToNanoseconds = to,
        }, null);
    }

    /// <summary>True when <paramref name="document"/> satisfies every option.</summary>
    public bool Matches(SessionDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var a = Arguments;
        return (FromNanoseconds is not { } from || document.LastNanoseconds >= from)
            && (ToNanoseconds is not { } to || document.FirstNanoseconds < to)
            && (ProtocolNumber is not { } protocol || document.Protocol == protocol)
            && (PortNumber is not { } port || document.ClientPort == port || document.ServerPort == port)
            && (HostAddress is null || SameAddress(document.Client) || SameAddress(document.Server))
            && (a.App is null || string.Equals(document.Application, a.App, StringComparison.OrdinalIgnoreCase))
            && (a.Sni is null || Sni(document, a.Sni))
            && (a.Domain is null || Any(document.DnsQueries, a.Domain) || Sni(document, a.Domain) || Any(document.HttpHosts, a.Domain))
            && (a.Url is null || Any(document.HttpUris, a.Url) || Urls(document).Any(u => Wildcard.Matches(u, a.Url)))
            && (a.HostHeader is null || Any(document.HttpHosts, a.HostHeader))
            && (a.UserAgent is null || Any(document.HttpUserAgents, a.UserAgent))
            && (a.Ja3 is null || Same(document.Ja3, a.Ja3) || Same(document.TlsRetryJa3, a.Ja3) || Same(document.Ja3S, a.Ja3))
            && (a.Ja4 is null || Same(document.Ja4, a.Ja4) || Same(document.TlsRetryJa4, a.Ja4) || Same(document.QuicJa4, a.Ja4)
                || Same(document.QuicRetryJa4, a.Ja4) || Same(document.Ja4S, a.Ja4))
            && (a.CertSha256 is null || document.CertificateSha256.Any(c => Same(c, a.CertSha256)))
            && (a.FileSha256 is null || document.FileSha256.Any(f => Same(f, a.FileSha256)));
    }

    /// <summary>The option values as JSON-friendly pairs (only those given), for the ledger.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Given()
    {
        var a = Arguments;
        return new[]
            {
                ("sni", a.Sni), ("domain", a.Domain), ("url", a.Url), ("hostHeader", a.HostHeader), ("userAgent", a.UserAgent),
                ("ja3", a.Ja3), ("ja4", a.Ja4), ("certSha256", a.CertSha256), ("fileSha256", a.FileSha256), ("app", a.App), ("host", a.Host), ("port", a.Port),
                ("proto", a.Proto), ("from", a.From), ("to", a.To),
            }
            .Where(p => p.Item2 is not null)
            .Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2!))
            .ToList();
    }

    private bool SameAddress(string text) => IPAddress.TryParse(text, out var address) && Normalise(address).Equals(Normalise(HostAddress!));

    private static IPAddress Normalise(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>The texts <c>--url</c> matches besides the bare request targets: each Host followed by each target starting with '/'.</summary>
    public static IEnumerable<string> Urls(SessionDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        // Without a Host the request target alone is the URL; with one, each host + target pair
        // (a session's transactions may name several hosts: all combinations are offered).
        foreach (var host in document.HttpHosts)
        {
            foreach (var uri in document.HttpUris)
            {
                yield return uri.StartsWith('/') ? host + uri : uri;
            }
        }
    }

    /// <summary>Either hello's server name, TLS or QUIC (the second hello's only when it differs from the first).</summary>
    private static bool Sni(SessionDocument document, string pattern) =>
        Like(document.TlsSni, pattern) || Like(document.TlsRetrySni, pattern) || Like(document.QuicSni, pattern) || Like(document.QuicRetrySni, pattern);

    private static bool Any(IReadOnlyList<string> values, string pattern) => values.Any(v => Wildcard.Matches(v, pattern));

    private static bool Like(string? value, string pattern) => value is not null && Wildcard.Matches(value, pattern);

    private static bool Same(string? value, string wanted) => value is not null && string.Equals(value, wanted, StringComparison.OrdinalIgnoreCase);

    private static bool TryParseAddress(string text, out IPAddress? address)
    {
        // IPAddress.TryParse also takes inet_aton's short forms ("10.0.0" is 10.0.0.0): an IPv4
        // address given in part is refused, not widened.
        var dotted = text.Split('.');
        var fullIPv4 = dotted.Length == 4 && Array.TrueForAll(dotted, p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit));
        address = null;
        return (fullIPv4 || text.Contains(':', StringComparison.Ordinal)) && IPAddress.TryParse(text, out address);
    }

    private static bool IsHex(string text, int length) => text.Length == length && text.All(char.IsAsciiHexDigit);

    private static bool TryParseTime(string text, out long nanoseconds)
    {
        nanoseconds = 0;
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds < 100_000_000_000m)
        {
            nanoseconds = (long)(seconds * 1_000_000_000m);
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            nanoseconds = (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
            return true;
        }

        return false;
    }
}

/// <summary>Case-insensitive whole-value matching where <c>*</c> stands for any run of characters (none included).</summary>
public static class Wildcard
{
    /// <summary>True when <paramref name="value"/> matches <paramref name="pattern"/>.</summary>
    public static bool Matches(string value, string pattern)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(pattern);

        // Iterative glob with one backtrack point: linear in practice, never recursive (patterns are user input).
        int v = 0, p = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = v;
            }
            else if (p < pattern.Length && char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(value[v]))
            {
                p++;
                v++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
