using System.Net;
using Recorder.Core.Packets;
using Recorder.Core.Query;

namespace Recorder.Api.Queries;

/// <summary>
/// One conversation a query by sessions extracts, as the query's record keeps it: resolved when the
/// query was submitted, so the job (and a job restarted after a crash) extracts exactly the packets
/// the submission named, whatever the session metadata says by then. The canonical flow order of
/// <see cref="FlowKey"/> (endpoint A is the smaller), the first and last packet's Unix nanoseconds.
/// </summary>
public sealed record QueryConversation
{
    /// <summary>The session record it came from (<c>SEGMENT:ID</c>).</summary>
    public required string Session { get; init; }

    /// <summary><c>ipv4</c> or <c>ipv6</c>.</summary>
    public required string Network { get; init; }

    /// <summary>IP protocol number.</summary>
    public required int Protocol { get; init; }

    /// <summary>Endpoint A's address.</summary>
    public required string A { get; init; }

    /// <summary>Endpoint A's port; null for a protocol without ports.</summary>
    public int? APort { get; init; }

    /// <summary>Endpoint B's address.</summary>
    public required string B { get; init; }

    /// <summary>Endpoint B's port; null for a protocol without ports.</summary>
    public int? BPort { get; init; }

    /// <summary>The first packet's capture time, Unix nanoseconds (inclusive).</summary>
    public required long FirstNanoseconds { get; init; }

    /// <summary>The last packet's capture time, Unix nanoseconds (inclusive).</summary>
    public required long LastNanoseconds { get; init; }

    /// <summary>The record of <paramref name="window"/>.</summary>
    public static QueryConversation From(ConversationWindow window)
    {
        var flow = window.Flow;
        var isV4 = flow.Kind == NetworkKind.IPv4;
        return new QueryConversation
        {
            Session = window.Label,
            Network = isV4 ? "ipv4" : "ipv6",
            Protocol = flow.Protocol,
            A = IpAddress128.Format(flow.AddressA, isV4),
            APort = flow.HasPorts ? flow.PortA : null,
            B = IpAddress128.Format(flow.AddressB, isV4),
            BPort = flow.HasPorts ? flow.PortB : null,
            FirstNanoseconds = window.FirstNanoseconds,
            LastNanoseconds = window.LastNanoseconds,
        };
    }

    /// <summary>The conversation again; throws <see cref="FormatException"/> when the record was altered into something that is not one.</summary>
    public ConversationWindow ToWindow()
    {
        if (Network is not ("ipv4" or "ipv6") || Protocol is < 0 or > 255 || (APort is null) != (BPort is null)
            || APort is < 0 or > 65535 || BPort is < 0 or > 65535 || LastNanoseconds < FirstNanoseconds
            || !IPAddress.TryParse(A, out var a) || !IPAddress.TryParse(B, out var b))
        {
            throw new FormatException($"stored conversation {Session} is not a conversation");
        }

        var hasPorts = APort is not null;
        var flow = new FlowKey(Network == "ipv4" ? NetworkKind.IPv4 : NetworkKind.IPv6, (byte)Protocol, hasPorts,
            IpAddress128.From(a), hasPorts ? (ushort)APort!.Value : (ushort)0, IpAddress128.From(b), hasPorts ? (ushort)BPort!.Value : (ushort)0);
        return new ConversationWindow(flow, FirstNanoseconds, LastNanoseconds, Session);
    }
}

/// <summary>The session search a query by <c>filter.sessionsOf</c> ran when it was submitted.</summary>
/// <param name="SearchId">The search's UUID.</param>
/// <param name="LedgerSeq">Its <c>sessions.searched</c> entry.</param>
/// <param name="Matches">Sessions it found (before continuations in other segments were added).</param>
/// <param name="AnswerSha256">SHA-256 of its answer.</param>
public sealed record QuerySessionSearch(string SearchId, long LedgerSeq, int Matches, string AnswerSha256);
