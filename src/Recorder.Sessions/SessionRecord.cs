using Recorder.Core.Packets;

namespace Recorder.Sessions;

/// <summary>One side of a session: address (v4-mapped for IPv4, see <see cref="IpAddress128"/>) and port (0 without ports).</summary>
public readonly record struct SessionEndpoint(UInt128 Address, ushort Port);

/// <summary>Why a session record was emitted.</summary>
public enum SessionEndReason
{
    /// <summary>Both FINs, or a RST, and the close delay passed with no more packets.</summary>
    Closed,

    /// <summary>No packet for the protocol's idle timeout.</summary>
    IdleTimeout,

    /// <summary>The table was full and this was the least recently active session.</summary>
    Evicted,

    /// <summary>A new SYN reused the 5-tuple of a closed session.</summary>
    PortReused,

    /// <summary><see cref="SessionBuilder.Complete"/> was called.</summary>
    EndOfInput,
}

/// <summary>Application metadata a dissector attaches to its session (DNS messages, HTTP transactions…).</summary>
public interface ISessionMetadata
{
    /// <summary>The application the metadata describes (as in <see cref="SessionRecord.Application"/>).</summary>
    string Application { get; }
}

/// <summary>
/// A conversation: TCP and UDP by 5-tuple (both directions), other IP protocols by address pair and
/// protocol, each within one VLAN. Counts are whole frames (the original length, as tshark's
/// conversation table counts them). Fields are final once the record is handed to the sink.
/// </summary>
public sealed class SessionRecord
{
    internal SessionRecord()
    {
    }

    /// <summary>Sequence number of the session within its builder, in order of first packet.</summary>
    public long Id { get; internal set; }

    /// <summary>IPv4 or IPv6.</summary>
    public NetworkKind Network { get; internal set; }

    /// <summary>The IP protocol (after IPv6 extension headers).</summary>
    public byte Protocol { get; internal set; }

    /// <summary>The side that sent the first SYN (or, for TCP without one, the receiver of the first SYN-ACK), else the first packet's sender.</summary>
    public SessionEndpoint Client { get; internal set; }

    /// <summary>The other side.</summary>
    public SessionEndpoint Server { get; internal set; }

    /// <summary>The outermost 802.1Q/802.1ad VLAN id, or null when untagged.</summary>
    public int? Vlan { get; internal set; }

    /// <summary>The capture's link type (LINKTYPE_ value) of the first packet.</summary>
    public int LinkType { get; internal set; }

    /// <summary>Time of the first packet, nanoseconds since the Unix epoch.</summary>
    public long FirstNanoseconds { get; internal set; }

    /// <summary>Time of the last packet.</summary>
    public long LastNanoseconds { get; internal set; }

    /// <summary>Packets sent by the client.</summary>
    public long ClientPackets { get; internal set; }

    /// <summary>Frame bytes (original length) sent by the client.</summary>
    public long ClientBytes { get; internal set; }

    /// <summary>Transport payload bytes sent by the client (TCP/UDP data; the IP payload for other protocols).</summary>
    public long ClientPayloadBytes { get; internal set; }

    /// <summary>Packets sent by the server.</summary>
    public long ServerPackets { get; internal set; }

    /// <summary>Frame bytes sent by the server.</summary>
    public long ServerBytes { get; internal set; }

    /// <summary>Transport payload bytes sent by the server.</summary>
    public long ServerPayloadBytes { get; internal set; }

    /// <summary>TCP flag bits (the header's 13th byte: FIN 0x01 … CWR 0x80) seen from the client, OR-ed.</summary>
    public byte ClientTcpFlags { get; internal set; }

    /// <summary>TCP flag bits seen from the server, OR-ed.</summary>
    public byte ServerTcpFlags { get; internal set; }

    /// <summary>Zeek's <c>conn_state</c> (S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH); see docs/sessions.md.</summary>
    public string ConnState { get; internal set; } = "OTH";

    /// <summary>Zeek-style history letters (S H A D F R; upper case client, lower case server), each letter once, in order of first occurrence.</summary>
    public string History { get; internal set; } = string.Empty;

    /// <summary>The caller's segment ids this session's packets came from, in order, without repeats of the previous id.</summary>
    public IReadOnlyList<long> Segments => segments;

    /// <summary>
    /// The application identified from the payload (<c>dns</c>, <c>http</c>, <c>tls</c>, <c>ssh</c>,
    /// <c>smtp</c>, <c>ftp</c>, <c>dhcp</c>, <c>quic</c>…), <c>unknown</c> when payload was seen but
    /// nothing claimed it, null when there was no payload (or the protocol is neither TCP nor UDP).
    /// </summary>
    public string? Application { get; internal set; }

    /// <summary>What the application's dissector extracted, or null.</summary>
    public ISessionMetadata? Metadata { get; set; }

    /// <summary>True when reassembly delivered a gap: content the dissector saw is incomplete.</summary>
    public bool ContentIncomplete { get; internal set; }

    /// <summary>Bytes of the client's stream never seen (gaps), while the stream was reassembled.</summary>
    public long ClientMissingBytes { get; internal set; }

    /// <summary>Bytes of the server's stream never seen.</summary>
    public long ServerMissingBytes { get; internal set; }

    /// <summary>True when a TCP direction carried data without a SYN before it (the capture began mid-stream).</summary>
    public bool StartedMidStream { get; internal set; }

    /// <summary>TCP segments whose bytes were all seen before (retransmissions), both directions.</summary>
    public long Retransmissions { get; internal set; }

    /// <summary>Overlapping TCP segments whose bytes differed from the bytes first seen (the first seen were kept).</summary>
    public long OverlapConflicts { get; internal set; }

    /// <summary>Why the record was emitted.</summary>
    public SessionEndReason EndReason { get; internal set; }

    /// <summary>When a dissector failed (a defect: dissectors must not throw), the exception type and message; delivery stopped there.</summary>
    public string? DissectorFailure { get; internal set; }

    internal readonly List<long> segments = new(1);

    /// <summary>Text form of an endpoint (dotted IPv4 when <see cref="Network"/> is IPv4).</summary>
    public string Format(SessionEndpoint endpoint) =>
        IpAddress128.Format(endpoint.Address, Network == NetworkKind.IPv4);
}
