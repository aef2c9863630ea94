using System.Globalization;
using Recorder.Core.Time;

using Recorder.Core.Text;

namespace Recorder.Core.Query;

/// <summary>A problem with one argument of a query: which one, and what is wrong.</summary>
/// <param name="Argument">The argument or field at fault (e.g. <c>--host</c>, <c>filter.ports[1]</c>).</param>
/// <param name="Message">What is wrong with it.</param>
public sealed record QueryError(string Argument, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Argument}: {Message}";
}

/// <summary>The outcome of parsing a query: the query, or every problem found.</summary>
public sealed record QueryParseResult(PacketQuery? Query, IReadOnlyList<QueryError> Errors)
{
    /// <summary>True when the query parsed.</summary>
    public bool Success => Query is not null && Errors.Count == 0;
}

/// <summary>The raw, textual form of a query as a person or a client gives it.</summary>
public sealed record QueryText
{
    /// <summary>Addresses or CIDR blocks.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>Port numbers.</summary>
    public IReadOnlyList<string> Ports { get; init; } = [];

    /// <summary>tcp, udp, icmp, icmp6 or a protocol number.</summary>
    public IReadOnlyList<string> Protocols { get; init; } = [];

    /// <summary>Start of the window.</summary>
    public string? From { get; init; }

    /// <summary>End of the window (exclusive).</summary>
    public string? To { get; init; }

    /// <summary>libpcap filter expression.</summary>
    public string? Bpf { get; init; }
}

/// <summary>
/// Turns <see cref="QueryText"/> into a <see cref="PacketQuery"/>, reporting every bad value with the
/// argument it came from. BPF expressions are checked by the caller (they need libpcap).
/// </summary>
public static class QueryParser
{
    /// <summary>Parses; <paramref name="names"/> gives the argument names used in messages.</summary>
    public static QueryParseResult Parse(QueryText text, QueryArgumentNames? names = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        names ??= QueryArgumentNames.Cli;
        var errors = new List<QueryError>();
        var hosts = new List<IpNetwork>();
        for (var i = 0; i < text.Hosts.Count; i++)
        {
            if (IpNetwork.TryParse(text.Hosts[i], out var network, out var error))
            {
                hosts.Add(network);
            }
            else
            {
                errors.Add(new QueryError(names.Host(i), error));
            }
        }

        var ports = new List<ushort>();
        for (var i = 0; i < text.Ports.Count; i++)
        {
            var value = text.Ports[i]?.Trim();
            if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535)
            {
                ports.Add((ushort)port);
            }
            else
            {
                errors.Add(new QueryError(names.Port(i), $"'{value}' is not a port number (0 to 65535)"));
            }
        }

        var protocols = new List<byte>();
        for (var i = 0; i < text.Protocols.Count; i++)
        {
            var value = text.Protocols[i]?.Trim().ToLowerInvariant();
            byte? protocol = value switch
            {
                "tcp" => Packets.Protocols.Tcp,
                "udp" => Packets.Protocols.Udp,
                "icmp" => Packets.Protocols.Icmp,
                "icmp6" or "icmpv6" => Packets.Protocols.Icmp6,
                "sctp" => Packets.Protocols.Sctp,
                _ => byte.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null,
            };
            if (protocol is null)
            {
                errors.Add(new QueryError(names.Protocol(i), $"'{value}' is not tcp, udp, icmp, icmp6 or a protocol number 0 to 255"));
            }
            else
            {
                protocols.Add(protocol.Value);
            }
        }

        Timestamp? from = null;
        Timestamp? to = null;
        if (text.From is not null)
        {
            if (TimestampParser.TryParse(text.From, out var value, out var error))
            {
                from = value;
            }
            else
            {
                errors.Add(new QueryError(names.From, error));
            }
        }

        if (text.To is not null)
        {
            if (TimestampParser.TryParse(text.To, out var value, out var error))
            {
                to = value;
            }
            else
            {
                errors.Add(new QueryError(names.To, error));
            }
        }

        if (from is not null && to is not null && from.Value >= to.Value)
        {
            errors.Add(new QueryError(names.From, $"the window is empty: from ({from}) is not before to ({to})"));
        }

        var bpf = string.IsNullOrWhiteSpace(text.Bpf) ? null : text.Bpf.Trim();
        if (text.Bpf is not null && bpf is null)
        {
            errors.Add(new QueryError(names.Bpf, "empty filter expression"));
        }
        else if (bpf is not null && UserText.Problem(bpf, allowLineBreaks: true) is { } unsafeText)
        {
            // libpcap reads a C string: it would run the expression up to a NUL, while the ledger holds all of it.
            errors.Add(new QueryError(names.Bpf, unsafeText + ": the expression must be what libpcap runs"));
        }

        if (errors.Count > 0)
        {
            return new QueryParseResult(null, errors);
        }

        return new QueryParseResult(
            new PacketQuery
            {
                Hosts = hosts.Distinct().ToList(),
                Ports = ports.Distinct().ToList(),
                Protocols = protocols.Distinct().ToList(),
                From = from,
                To = to,
                Bpf = bpf,
            },
            errors);
    }
}

/// <summary>How the arguments of a query are named in messages: CLI options or JSON fields.</summary>
public sealed record QueryArgumentNames(
    Func<int, string> Host,
    Func<int, string> Port,
    Func<int, string> Protocol,
    string From,
    string To,
    string Bpf)
{
    /// <summary>Command-line option names.</summary>
    public static readonly QueryArgumentNames Cli = new(_ => "--host", _ => "--port", _ => "--proto", "--from", "--to", "--bpf");

    /// <summary>JSON field paths of the service's query body.</summary>
    public static readonly QueryArgumentNames Json = new(
        i => $"filter.hosts[{i}]", i => $"filter.ports[{i}]", _ => "filter.proto", "filter.from", "filter.to", "filter.bpf");
}
