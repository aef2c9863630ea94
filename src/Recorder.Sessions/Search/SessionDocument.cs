using Recorder.Core.Packets;
using Recorder.Sessions.Dns;
using Recorder.Sessions.Http;
using Recorder.Sessions.Tls;

namespace Recorder.Sessions.Search;

/// <summary>
/// One session as the store keeps it for search: the <see cref="SessionRecord"/> fields with the
/// addresses formatted, and the application metadata flattened into the fields searches match
/// (see docs/sessions.md, "In the store"). One JSON object per line of a segment's
/// <c>.sessions.jsonl</c> file (<see cref="SessionDocumentJson"/>).
/// </summary>
public sealed class SessionDocument
{
    /// <summary>The segment whose packets make up this record.</summary>
    public long SegmentId { get; init; }

    /// <summary><see cref="SessionRecord.Id"/>: order of first packet within the segment.</summary>
    public long Id { get; init; }

    /// <summary><c>ipv4</c> or <c>ipv6</c>.</summary>
    public string Network { get; init; } = "ipv4";

    /// <summary>The IP protocol number.</summary>
    public int Protocol { get; init; }

    /// <summary>The client's address (dotted IPv4, or IPv6 text).</summary>
    public string Client { get; init; } = string.Empty;

    /// <summary>The client's port (0 without ports).</summary>
    public int ClientPort { get; init; }

    /// <summary>The server's address.</summary>
    public string Server { get; init; } = string.Empty;

    /// <summary>The server's port.</summary>
    public int ServerPort { get; init; }

    /// <summary>Outermost VLAN id, or null.</summary>
    public int? Vlan { get; init; }

    /// <summary>LINKTYPE_ of the first packet.</summary>
    public int LinkType { get; init; }

    /// <summary>First packet, Unix nanoseconds.</summary>
    public long FirstNanoseconds { get; init; }

    /// <summary>Last packet, Unix nanoseconds.</summary>
    public long LastNanoseconds { get; init; }

    /// <summary>Packets from the client.</summary>
    public long ClientPackets { get; init; }

    /// <summary>Frame bytes from the client.</summary>
    public long ClientBytes { get; init; }

    /// <summary>Payload bytes from the client.</summary>
    public long ClientPayloadBytes { get; init; }

    /// <summary>Packets from the server.</summary>
    public long ServerPackets { get; init; }

    /// <summary>Frame bytes from the server.</summary>
    public long ServerBytes { get; init; }

    /// <summary>Payload bytes from the server.</summary>
    public long ServerPayloadBytes { get; init; }

    /// <summary>TCP flags from the client, OR-ed.</summary>
    public int ClientTcpFlags { get; init; }

    /// <summary>TCP flags from the server, OR-ed.</summary>
    public int ServerTcpFlags { get; init; }

    /// <summary>Zeek's conn_state.</summary>
    public string ConnState { get; init; } = "OTH";

    /// <summary>Zeek-style history letters.</summary>
    public string History { get; init; } = string.Empty;

    /// <summary>The application identified from the payload, or null.</summary>
    public string? Application { get; init; }

    /// <summary>A gap made the content incomplete.</summary>
    public bool ContentIncomplete { get; init; }

    /// <summary>Client stream bytes never seen.</summary>
    public long ClientMissingBytes { get; init; }

    /// <summary>Server stream bytes never seen.</summary>
    public long ServerMissingBytes { get; init; }

    /// <summary>A TCP direction carried data without a SYN first.</summary>
    public bool StartedMidStream { get; init; }

    /// <summary>TCP retransmissions.</summary>
    public long Retransmissions { get; init; }

    /// <summary>Overlaps whose bytes differed.</summary>
    public long OverlapConflicts { get; init; }

    /// <summary><see cref="SessionEndReason"/> as text (<c>Closed</c>, <c>IdleTimeout</c>, …, <c>EndOfInput</c>).</summary>
    public string EndReason { get; init; } = string.Empty;

    /// <summary>The dissector's failure, if one threw.</summary>
    public string? DissectorFailure { get; init; }

    /// <summary>
    /// True when the previous segment ended with a session of the same endpoints still active
    /// (<c>EndOfInput</c>) within the protocol's idle timeout of this record's first packet: the same
    /// conversation, cut at the segment boundary, continues here as a new record.
    /// </summary>
    public bool ContinuesPreviousSegment { get; init; }

    /// <summary>The segment ended while this session was active (its end reason is <c>EndOfInput</c>): it may continue in the next segment.</summary>
    public bool OpenAtSegmentEnd => EndReason == nameof(SessionEndReason.EndOfInput);

    /// <summary>DNS question names (as tshark prints <c>dns.qry.name</c>), each once.</summary>
    public IReadOnlyList<string> DnsQueries { get; init; } = [];

    /// <summary>DNS answer data (addresses, names…), each once.</summary>
    public IReadOnlyList<string> DnsAnswers { get; init; } = [];

    /// <summary>DNS response codes seen, each once.</summary>
    public IReadOnlyList<int> DnsResponseCodes { get; init; } = [];

    /// <summary>HTTP Host header values, each once.</summary>
    public IReadOnlyList<string> HttpHosts { get; init; } = [];

    /// <summary>HTTP request targets, each once.</summary>
    public IReadOnlyList<string> HttpUris { get; init; } = [];

    /// <summary>HTTP User-Agent values, each once.</summary>
    public IReadOnlyList<string> HttpUserAgents { get; init; } = [];

    /// <summary>HTTP methods, each once.</summary>
    public IReadOnlyList<string> HttpMethods { get; init; } = [];

    /// <summary>HTTP status codes, each once.</summary>
    public IReadOnlyList<int> HttpStatuses { get; init; } = [];

    /// <summary>TLS server name (SNI) of the ClientHello, or null.</summary>
    public string? TlsSni { get; init; }

    /// <summary>ALPN values offered by the client, and the server's choice last when it made one not offered first.</summary>
    public IReadOnlyList<string> TlsAlpn { get; init; } = [];

    /// <summary>JA3 (MD5) of the ClientHello.</summary>
    public string? Ja3 { get; init; }

    /// <summary>JA3S of the ServerHello.</summary>
    public string? Ja3S { get; init; }

    /// <summary>JA4 of the ClientHello.</summary>
    public string? Ja4 { get; init; }

    /// <summary>JA4S of the ServerHello.</summary>
    public string? Ja4S { get; init; }

    /// <summary>
    /// Whether the server's HelloRetryRequest (RFC 8446 §4.1.4) was read. A second ClientHello read
    /// without it (only the client's side captured, or a client repeating its hello in the clear)
    /// fills the <c>TlsRetry…</c> fields and leaves this false: the record claims no more than was seen.
    /// <see cref="TlsSni"/>, <see cref="Ja3"/> and <see cref="Ja4"/> stay those of the first ClientHello.
    /// </summary>
    public bool TlsHelloRetryRequest { get; init; }

    /// <summary>JA3 (MD5) of the second ClientHello (after a HelloRetryRequest), or null.</summary>
    public string? TlsRetryJa3 { get; init; }

    /// <summary>JA4 of the second ClientHello, or null.</summary>
    public string? TlsRetryJa4 { get; init; }

    /// <summary>Server name of the second ClientHello when it differs from <see cref="TlsSni"/> (RFC 8446 forbids it; a client may still do it), else null.</summary>
    public string? TlsRetrySni { get; init; }

    /// <summary>SHA-256 (lower-case hex) of each certificate of the chain (TLS ≤ 1.2), in order.</summary>
    public IReadOnlyList<string> CertificateSha256 { get; init; } = [];

    /// <summary>QUIC version name, or null.</summary>
    public string? QuicVersion { get; init; }

    /// <summary>SNI of the QUIC Initial's ClientHello.</summary>
    public string? QuicSni { get; init; }

    /// <summary>ALPN values of the QUIC ClientHello.</summary>
    public IReadOnlyList<string> QuicAlpn { get; init; } = [];

    /// <summary>JA4 (<c>q…</c>) of the QUIC ClientHello.</summary>
    public string? QuicJa4 { get; init; }

    /// <summary>Whether the server's HelloRetryRequest was read in the QUIC Initial packets (a second ClientHello alone fills the <c>QuicRetry…</c> fields and leaves this false).</summary>
    public bool QuicHelloRetryRequest { get; init; }

    /// <summary>JA4 of the QUIC client's second ClientHello (after a HelloRetryRequest), or null.</summary>
    public string? QuicRetryJa4 { get; init; }

    /// <summary>Server name of the QUIC client's second ClientHello when it differs from <see cref="QuicSni"/>, else null.</summary>
    public string? QuicRetrySni { get; init; }

    /// <summary>
    /// SHA-256 of every complete file the session carried: HTTP bodies (decoded, by
    /// <see cref="Files.HttpObjectExtractor"/>) and SMTP attachments. A file cut by a gap has no hash here.
    /// </summary>
    public IReadOnlyList<string> FileSha256 { get; init; } = [];

    /// <summary>Every file the session carried, complete or not, in the order they ended (for FTP, on the data session's record).</summary>
    public IReadOnlyList<SessionFile> Files { get; init; } = [];

    /// <summary>
    /// For an FTP control session the segment's end cut (<see cref="OpenAtSegmentEnd"/>): the data
    /// connections it announced that no connection had used yet, which the next segment's build takes
    /// over (docs/sessions.md, "FTP data connections across segments"). Empty otherwise, and in files
    /// written before the field existed.
    /// </summary>
    public IReadOnlyList<Ftp.FtpWaitingData> FtpWaitingData { get; init; } = [];

    /// <summary>
    /// Flattens <paramref name="record"/> (from segment <paramref name="segmentId"/>);
    /// <paramref name="httpFiles"/> are the SHA-256 of the complete HTTP bodies the extractor found in it;
    /// <paramref name="files"/> the files a <see cref="Files.FileObserver"/> was given for it.
    /// </summary>
    public static SessionDocument From(SessionRecord record, long segmentId, bool continuesPreviousSegment, IReadOnlyList<string>? httpFiles = null,
        IReadOnlyList<Files.TransferredFile>? files = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        var v4 = record.Network == NetworkKind.IPv4;
        var dns = record.Metadata as DnsSessionMetadata;
        var http = record.Metadata as HttpSessionMetadata;
        var tls = (record.Metadata as TlsSessionMetadata)?.Tls;
        var quic = (record.Metadata as QuicSessionMetadata)?.Quic;
        return new SessionDocument
        {
            SegmentId = segmentId,
            Id = record.Id,
            Network = v4 ? "ipv4" : "ipv6",
            Protocol = record.Protocol,
            Client = IpAddress128.Format(record.Client.Address, v4),
            ClientPort = record.Client.Port,
            Server = IpAddress128.Format(record.Server.Address, v4),
            ServerPort = record.Server.Port,
            Vlan = record.Vlan,
            LinkType = record.LinkType,
            FirstNanoseconds = record.FirstNanoseconds,
            LastNanoseconds = record.LastNanoseconds,
            ClientPackets = record.ClientPackets,
            ClientBytes = record.ClientBytes,
            ClientPayloadBytes = record.ClientPayloadBytes,
            ServerPackets = record.ServerPackets,
            ServerBytes = record.ServerBytes,
            ServerPayloadBytes = record.ServerPayloadBytes,
            ClientTcpFlags = record.ClientTcpFlags,
            ServerTcpFlags = record.ServerTcpFlags,
            ConnState = record.ConnState,
            History = record.History,
            Application = record.Application,
            ContentIncomplete = record.ContentIncomplete,
            ClientMissingBytes = record.ClientMissingBytes,
            ServerMissingBytes = record.ServerMissingBytes,
            StartedMidStream = record.StartedMidStream,
            Retransmissions = record.Retransmissions,
            OverlapConflicts = record.OverlapConflicts,
            EndReason = record.EndReason.ToString(),
            DissectorFailure = record.DissectorFailure,
            ContinuesPreviousSegment = continuesPreviousSegment,
            DnsQueries = dns is null ? [] : Distinct(dns.Messages.SelectMany(m => m.Questions).Select(q => q.Name)),
            DnsAnswers = dns is null ? [] : Distinct(dns.Messages.SelectMany(m => m.Answers).Select(a => a.Data)),
            DnsResponseCodes = dns is null ? [] : dns.Messages.Where(m => m.IsResponse).Select(m => m.ResponseCode).Distinct().ToList(),
            HttpHosts = http is null ? [] : Distinct(http.Transactions.Select(t => t.Host)),
            HttpUris = http is null ? [] : Distinct(http.Transactions.Select(t => t.Uri)),
            HttpUserAgents = http is null ? [] : Distinct(http.Transactions.Select(t => t.UserAgent)),
            HttpMethods = http is null ? [] : Distinct(http.Transactions.Select(t => t.Method)),
            HttpStatuses = http is null ? [] : http.Transactions.Where(t => t.StatusCode is not null).Select(t => t.StatusCode!.Value).Distinct().ToList(),
            TlsSni = tls?.ClientHello?.ServerName,
            TlsAlpn = tls is null ? [] : Distinct((tls.ClientHello?.Alpn ?? []).Append(tls.ServerHello?.Alpn)),
            Ja3 = tls?.ClientHello?.Ja3,
            Ja3S = tls?.ServerHello?.Ja3S,
            Ja4 = tls?.ClientHello?.Ja4,
            Ja4S = tls?.ServerHello?.Ja4S,
            TlsHelloRetryRequest = tls is not null && tls.HelloRetryRequest,
            TlsRetryJa3 = tls?.RetryClientHello?.Ja3,
            TlsRetryJa4 = tls?.RetryClientHello?.Ja4,
            TlsRetrySni = Differing(tls?.RetryClientHello?.ServerName, tls?.ClientHello?.ServerName),
            CertificateSha256 = tls is null ? [] : tls.Certificates.Select(c => c.Sha256).ToList(),
            QuicVersion = quic?.VersionName,
            QuicSni = quic?.ClientHello?.ServerName,
            QuicAlpn = quic?.ClientHello?.Alpn ?? [],
            QuicJa4 = quic?.ClientHello?.Ja4,
            QuicHelloRetryRequest = quic is not null && quic.HelloRetryRequest,
            QuicRetryJa4 = quic?.RetryClientHello?.Ja4,
            QuicRetrySni = Differing(quic?.RetryClientHello?.ServerName, quic?.ClientHello?.ServerName),
            FileSha256 = Distinct((httpFiles ?? []).Concat((files ?? []).Select(f => f.Sha256)).Concat(record.Metadata is Smtp.SmtpSessionMetadata smtp
                ? smtp.Messages.SelectMany(m => m.Attachments).Where(a => a.Complete).Select(a => a.Sha256)
                : [])),
            Files = files is null ? [] : files.Select(SessionFile.From).ToList(),
            FtpWaitingData = record.EndReason == SessionEndReason.EndOfInput && record.Metadata is Ftp.FtpSessionMetadata ftp ? [.. ftp.WaitingData] : [],
        };
    }

    private static string? Differing(string? retry, string? first) => string.Equals(retry, first, StringComparison.Ordinal) ? null : retry;

    private static List<string> Distinct(IEnumerable<string?> values)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var value in values)
        {
            if (value is not null && seen.Add(value))
            {
                result.Add(value);
            }
        }

        return result;
    }
}
