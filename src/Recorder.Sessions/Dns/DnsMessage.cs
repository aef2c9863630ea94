namespace Recorder.Sessions.Dns;

/// <summary>A question: name as tshark prints <c>dns.qry.name</c>, type and class numbers.</summary>
public sealed record DnsQuestion(string Name, ushort Type, ushort Class);

/// <summary>
/// A resource record. <see cref="Data"/> is the record data as tshark prints its field: the
/// address for A/AAAA (<c>dns.a</c>, <c>dns.aaaa</c>), the name for CNAME/NS/PTR/MX, the
/// character-strings concatenated for TXT, "mname rname serial refresh retry expire minimum" for SOA,
/// "priority weight port target" for SRV, lower-case hex of the RDATA for every other type.
/// </summary>
public sealed record DnsResourceRecord(string Name, ushort Type, ushort Class, uint Ttl, string Data)
{
    /// <summary>The MX preference (MX only).</summary>
    public ushort? Preference { get; init; }
}

/// <summary>One DNS message (RFC 1035 §4.1) as far as it could be parsed.</summary>
public sealed class DnsMessage
{
    /// <summary>The transaction id.</summary>
    public ushort Id { get; init; }

    /// <summary>QR: true for a response.</summary>
    public bool IsResponse { get; init; }

    /// <summary>OPCODE (0 query, 1 inverse, 2 status, 4 notify, 5 update).</summary>
    public int Opcode { get; init; }

    /// <summary>RCODE of the header (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED…), as <c>dns.flags.rcode</c>.</summary>
    public int ResponseCode { get; init; }

    /// <summary>AA.</summary>
    public bool Authoritative { get; init; }

    /// <summary>TC: the message was truncated by its sender.</summary>
    public bool Truncated { get; init; }

    /// <summary>RD.</summary>
    public bool RecursionDesired { get; init; }

    /// <summary>RA.</summary>
    public bool RecursionAvailable { get; init; }

    /// <summary>True when sent by the session's client.</summary>
    public bool FromClient { get; init; }

    /// <summary>Capture time of the message (its first byte's segment for TCP).</summary>
    public long TimestampNanoseconds { get; init; }

    /// <summary>The question section.</summary>
    public IReadOnlyList<DnsQuestion> Questions { get; init; } = [];

    /// <summary>The answer section.</summary>
    public IReadOnlyList<DnsResourceRecord> Answers { get; init; } = [];

    /// <summary>The authority section.</summary>
    public IReadOnlyList<DnsResourceRecord> Authorities { get; init; } = [];

    /// <summary>The additional section (an EDNS OPT record is listed with name <c>&lt;Root&gt;</c> and type 41).</summary>
    public IReadOnlyList<DnsResourceRecord> Additionals { get; init; } = [];

    /// <summary>Why parsing stopped early (truncated, bad name, compression loop…), or null when the whole message parsed.</summary>
    public string? Malformed { get; init; }
}

/// <summary>The DNS messages of one session, in the order they were seen.</summary>
public sealed class DnsSessionMetadata : ISessionMetadata
{
    /// <summary>Messages kept per session; further ones are counted in <see cref="DroppedMessages"/>.</summary>
    public const int MaxMessages = 4096;

    /// <inheritdoc />
    public string Application => DnsParser.ApplicationName;

    /// <summary>The messages (at most <see cref="MaxMessages"/>).</summary>
    public List<DnsMessage> Messages { get; } = [];

    /// <summary>Messages not kept because of <see cref="MaxMessages"/>.</summary>
    public long DroppedMessages { get; internal set; }

    /// <summary>Bytes of a TCP stream that could not be framed as DNS messages (after a gap or a bad length).</summary>
    public long UnparsedBytes { get; internal set; }
}
