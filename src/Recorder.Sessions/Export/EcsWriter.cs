using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Recorder.Sessions.Dns;
using Recorder.Sessions.Files;
using Recorder.Sessions.Http;
using Recorder.Sessions.Search;
using Recorder.Sessions.Tls;

namespace Recorder.Sessions.Export;

/// <summary>How many records of each kind an export wrote.</summary>
public sealed class EcsCounts
{
    /// <summary>Session (connection) records.</summary>
    public long Sessions { get; set; }

    /// <summary>DNS message records.</summary>
    public long Dns { get; set; }

    /// <summary>HTTP transaction records.</summary>
    public long Http { get; set; }

    /// <summary>TLS and QUIC handshake records.</summary>
    public long Tls { get; set; }

    /// <summary>Transferred file records.</summary>
    public long Files { get; set; }

    /// <summary>All records.</summary>
    public long Total => Sessions + Dns + Http + Tls + Files;
}

/// <summary>
/// Writes sessions as Elastic Common Schema (ECS) <see cref="EcsVersion"/> documents, one JSON object
/// per line: one <c>recorder.session</c> record per session, and one <c>recorder.dns</c> per DNS
/// message, <c>recorder.http</c> per HTTP transaction, <c>recorder.tls</c> per TLS or QUIC handshake
/// and <c>recorder.file</c> per transferred file, each repeating the session's endpoints and its
/// <c>recorder.session</c> reference (<c>SEGMENT:ID</c>, what <c>recorder query --session</c> takes).
/// Only fields ECS defines are used outside the <c>recorder.*</c> namespace (a test checks every
/// name and type against ECS's own <c>ecs_flat.yml</c>); see docs/sessions.md, "Export".
/// </summary>
public static class EcsWriter
{
    /// <summary>The ECS version the documents follow.</summary>
    public const string EcsVersion = "9.4.0";

    /// <summary>Writes the records of one session to <paramref name="output"/>, each followed by a newline.</summary>
    /// <param name="output">Where the JSON lines go.</param>
    /// <param name="document">The session as the store keeps it (reference, counters, continuation).</param>
    /// <param name="record">The same session with its full application metadata.</param>
    /// <param name="files">The files the session carried.</param>
    /// <param name="counts">Counts to add to.</param>
    public static void WriteSession(IBufferWriter<byte> output, SessionDocument document, SessionRecord record, IReadOnlyList<TransferredFile> files,
        EcsCounts counts)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(counts);
        var session = new Context(document, record);
        using var writer = new Utf8JsonWriter(output);
        Line(writer, output, session, "recorder.session", ["network"], ["connection"], document.FirstNanoseconds, w => SessionFields(w, session));
        counts.Sessions++;
        switch (record.Metadata)
        {
            case DnsSessionMetadata dns:
                foreach (var message in dns.Messages)
                {
                    Line(writer, output, session, "recorder.dns", ["network"], ["protocol"], message.TimestampNanoseconds, w => DnsFields(w, session, message));
                    counts.Dns++;
                }

                break;
            case HttpSessionMetadata http:
                foreach (var transaction in http.Transactions)
                {
                    Line(writer, output, session, "recorder.http", ["network", "web"], ["protocol"],
                        transaction.RequestNanoseconds ?? transaction.ResponseNanoseconds ?? document.FirstNanoseconds, w => HttpFields(w, session, transaction));
                    counts.Http++;
                }

                break;
            case TlsSessionMetadata { Tls: { } tls }:
                Line(writer, output, session, "recorder.tls", ["network"], ["protocol"], document.FirstNanoseconds,
                    w => TlsFields(w, session, tls.ClientHello, tls.ServerHello, tls.Certificates, null));
                counts.Tls++;
                break;
            case QuicSessionMetadata { Quic: { ClientHello: not null } quic }:
                Line(writer, output, session, "recorder.tls", ["network"], ["protocol"], document.FirstNanoseconds,
                    w => TlsFields(w, session, quic.ClientHello, quic.ServerHello, [], quic.VersionName));
                counts.Tls++;
                break;
        }

        foreach (var file in files)
        {
            Line(writer, output, session, "recorder.file", ["file", "network"], ["info"], file.Nanoseconds ?? document.FirstNanoseconds, w => FileFields(w, session, file));
            counts.Files++;
        }
    }

    private sealed record Context(SessionDocument Document, SessionRecord Record)
    {
        public string Reference => $"{Document.SegmentId}:{Document.Id}";
    }

    private static void Line(Utf8JsonWriter writer, IBufferWriter<byte> output, Context session, string dataset, string[] categories, string[] types,
        long timestamp, Action<Utf8JsonWriter> fields)
    {
        var d = session.Document;
        writer.Reset(output);
        writer.WriteStartObject();
        writer.WriteString("@timestamp", Time(timestamp));
        writer.WriteStartObject("ecs");
        writer.WriteString("version", EcsVersion);
        writer.WriteEndObject();
        writer.WriteStartObject("event");
        writer.WriteString("kind", "event");
        writer.WriteString("module", "recorder");
        writer.WriteString("dataset", dataset);
        Strings(writer, "category", categories);
        Strings(writer, "type", types);
        writer.WriteString("start", Time(d.FirstNanoseconds));
        writer.WriteString("end", Time(d.LastNanoseconds));
        writer.WriteNumber("duration", d.LastNanoseconds - d.FirstNanoseconds);
        writer.WriteEndObject();
        Endpoint(writer, "source", d.Client, d.ClientPort, d.ClientBytes, d.ClientPackets);
        Endpoint(writer, "destination", d.Server, d.ServerPort, d.ServerBytes, d.ServerPackets);
        writer.WriteStartObject("network");
        writer.WriteString("type", d.Network);
        writer.WriteString("iana_number", d.Protocol.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("transport", Transport(d.Protocol));
        if (d.Application is { } application)
        {
            writer.WriteString("protocol", application);
        }

        writer.WriteNumber("bytes", d.ClientBytes + d.ServerBytes);
        writer.WriteNumber("packets", d.ClientPackets + d.ServerPackets);
        if (d.Vlan is { } vlan)
        {
            writer.WriteStartObject("vlan");
            writer.WriteString("id", vlan.ToString(CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        var r = session.Record;
        if (CommunityId.Compute(r.Network, r.Protocol, r.Client.Address, r.Client.Port, r.Server.Address, r.Server.Port) is { } communityId)
        {
            writer.WriteString("community_id", communityId);
        }

        writer.WriteEndObject();
        writer.WriteStartObject("related");
        Strings(writer, "ip", d.Client == d.Server ? [d.Client] : [d.Client, d.Server]);
        var names = d.DnsQueries.Concat(d.HttpHosts).Concat(new[] { d.TlsSni, d.QuicSni }.OfType<string>())
            .Select(n => n.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToArray();
        if (names.Length > 0)
        {
            Strings(writer, "hosts", names);
        }

        writer.WriteEndObject();
        fields(writer);
        writer.WriteEndObject();
        writer.Flush();
        output.Write("\n"u8);
    }

    // Inside "recorder": the session's own fields. ECS has no conn_state, history or segment fields.
    private static void SessionFields(Utf8JsonWriter writer, Context session)
    {
        var d = session.Document;
        Recorder(writer, session);
        writer.WriteString("conn_state", d.ConnState);
        writer.WriteString("history", d.History);
        writer.WriteString("end_reason", d.EndReason);
        writer.WriteBoolean("continues_previous_segment", d.ContinuesPreviousSegment);
        writer.WriteBoolean("content_incomplete", d.ContentIncomplete);
        writer.WriteNumber("client_payload_bytes", d.ClientPayloadBytes);
        writer.WriteNumber("server_payload_bytes", d.ServerPayloadBytes);
        writer.WriteNumber("client_missing_bytes", d.ClientMissingBytes);
        writer.WriteNumber("server_missing_bytes", d.ServerMissingBytes);
        writer.WriteNumber("link_type", d.LinkType);
        writer.WriteStartArray("segments");
        foreach (var segment in session.Record.Segments)
        {
            writer.WriteNumberValue(segment);
        }

        writer.WriteEndArray();
        if (d.DissectorFailure is { } failure)
        {
            writer.WriteString("dissector_failure", failure);
        }

        writer.WriteEndObject();
    }

    // Every record's own "recorder" object starts with the session reference.
    private static void Recorder(Utf8JsonWriter writer, Context session)
    {
        writer.WriteStartObject("recorder");
        writer.WriteString("session", session.Reference);
    }

    private static void DnsFields(Utf8JsonWriter writer, Context session, DnsMessage message)
    {
        Recorder(writer, session);
        if (message.Malformed is { } malformed)
        {
            writer.WriteString("dns_malformed", malformed);
        }

        writer.WriteEndObject();
        writer.WriteStartObject("dns");
        writer.WriteString("type", message.IsResponse ? "answer" : "query");
        writer.WriteString("id", message.Id.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("op_code", Opcode(message.Opcode));
        if (message.IsResponse)
        {
            writer.WriteString("response_code", ResponseCode(message.ResponseCode));
        }

        var flags = new List<string>(4);
        if (message.Authoritative)
        {
            flags.Add("AA");
        }

        if (message.Truncated)
        {
            flags.Add("TC");
        }

        if (message.RecursionDesired)
        {
            flags.Add("RD");
        }

        if (message.RecursionAvailable)
        {
            flags.Add("RA");
        }

        Strings(writer, "header_flags", flags);
        if (message.Questions.Count > 0)
        {
            var question = message.Questions[0];
            writer.WriteStartObject("question");
            writer.WriteString("name", question.Name);
            writer.WriteString("type", DnsType(question.Type));
            writer.WriteString("class", DnsClass(question.Class));
            writer.WriteEndObject();
        }

        if (message.Answers.Count > 0)
        {
            writer.WriteStartArray("answers");
            foreach (var answer in message.Answers)
            {
                writer.WriteStartObject();
                writer.WriteString("name", answer.Name);
                writer.WriteString("type", DnsType(answer.Type));
                writer.WriteString("class", DnsClass(answer.Class));
                writer.WriteNumber("ttl", answer.Ttl);
                writer.WriteString("data", answer.Data);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            var resolved = message.Answers.Where(a => a.Type is 1 or 28).Select(a => a.Data).Distinct(StringComparer.Ordinal).ToArray();
            if (resolved.Length > 0)
            {
                Strings(writer, "resolved_ip", resolved);
            }
        }

        writer.WriteEndObject();
    }

    private static void HttpFields(Utf8JsonWriter writer, Context session, HttpTransaction t)
    {
        Recorder(writer, session);
        writer.WriteNumber("http_transaction", t.Index);
        writer.WriteEndObject();
        writer.WriteStartObject("http");
        if ((t.RequestVersion ?? t.ResponseVersion) is { } version)
        {
            writer.WriteString("version", version.Replace("HTTP/", string.Empty, StringComparison.Ordinal));
        }

        writer.WriteStartObject("request");
        Optional(writer, "method", t.Method);
        Optional(writer, "mime_type", t.RequestContentType);
        if (t.RequestBody is { } requestBody)
        {
            writer.WriteStartObject("body");
            writer.WriteNumber("bytes", requestBody.Length);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteStartObject("response");
        if (t.StatusCode is { } status)
        {
            writer.WriteNumber("status_code", status);
        }

        Optional(writer, "mime_type", t.ResponseContentType);
        if (t.ResponseBody is { } responseBody)
        {
            writer.WriteStartObject("body");
            writer.WriteNumber("bytes", responseBody.Length);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        if (t.Uri is not null || t.Host is not null)
        {
            writer.WriteStartObject("url");
            Optional(writer, "original", t.Uri);
            Optional(writer, "domain", t.Host);
            writer.WriteEndObject();
        }

        if (t.UserAgent is { } agent)
        {
            writer.WriteStartObject("user_agent");
            writer.WriteString("original", agent);
            writer.WriteEndObject();
        }
    }

    private static void TlsFields(Utf8JsonWriter writer, Context session, TlsClientHello? client, TlsServerHello? server,
        IReadOnlyList<TlsCertificate> certificates, string? quicVersion)
    {
        Recorder(writer, session);
        writer.WriteStartObject("tls");
        Optional(writer, "ja4", client?.Ja4);
        Optional(writer, "ja4s", server?.Ja4S);
        if (quicVersion is not null)
        {
            writer.WriteString("quic_version", quicVersion);
        }

        if (server is not null)
        {
            writer.WriteString("cipher_suite", $"0x{server.CipherSuite:x4}");
        }

        if (certificates.Count > 0)
        {
            Strings(writer, "certificate_chain_sha256", certificates.Select(c => c.Sha256).ToArray());
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStartObject("tls");
        if (server is not null && Version(server.SelectedVersion) is { } version)
        {
            writer.WriteString("version", version);
            writer.WriteString("version_protocol", "tls");
        }

        if (server?.Alpn is { } alpn)
        {
            writer.WriteString("next_protocol", alpn);
        }

        if (client is not null)
        {
            writer.WriteStartObject("client");
            Optional(writer, "server_name", client.ServerName);
            writer.WriteString("ja3", client.Ja3);
            Strings(writer, "supported_ciphers", client.CipherSuites.Where(c => !TlsValues.IsGrease(c)).Select(c => $"0x{c:x4}").ToArray());
            writer.WriteEndObject();
        }

        if (server is not null || certificates.Count > 0)
        {
            writer.WriteStartObject("server");
            if (server is not null)
            {
                writer.WriteString("ja3s", server.Ja3S);
            }

            if (certificates.Count > 0)
            {
                var leaf = certificates[0];
                writer.WriteStartObject("hash");
                writer.WriteString("sha256", leaf.Sha256.ToUpperInvariant());
                writer.WriteString("sha1", leaf.Sha1.ToUpperInvariant());
                writer.WriteEndObject();
                Optional(writer, "subject", leaf.Subject);
                Optional(writer, "issuer", leaf.Issuer);
                if (leaf.NotBefore is { } notBefore)
                {
                    writer.WriteString("not_before", notBefore.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture));
                }

                if (leaf.NotAfter is { } notAfter)
                {
                    writer.WriteString("not_after", notAfter.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture));
                }

                writer.WriteStartObject("x509");
                Optional(writer, "serial_number", leaf.SerialNumber);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void FileFields(Utf8JsonWriter writer, Context session, TransferredFile file)
    {
        Recorder(writer, session);
        writer.WriteStartObject("file");
        writer.WriteString("direction", file.Direction == TransferDirection.Upload ? "upload" : "download");
        writer.WriteBoolean("complete", file.Complete);
        writer.WriteString("issues", file.Issues.ToString());
        writer.WriteString("name_source", file.NameSource.ToString());
        writer.WriteString("type_name", file.Type.Name);
        writer.WriteNumber("wire_bytes", file.WireLength);
        Optional(writer, "partial_sha256", file.PartialSha256);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStartObject("file");
        Optional(writer, "name", file.Name);
        writer.WriteNumber("size", file.Length);
        writer.WriteString("mime_type", file.Type.MediaType);
        if (file.Sha256 is not null)
        {
            writer.WriteStartObject("hash");
            Optional(writer, "sha256", file.Sha256);
            Optional(writer, "sha1", file.Sha1);
            Optional(writer, "md5", file.Md5);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        if (file.Uri is not null || file.Host is not null)
        {
            writer.WriteStartObject("url");
            Optional(writer, "original", file.Uri);
            Optional(writer, "domain", file.Host);
            writer.WriteEndObject();
        }
    }

    private static void Endpoint(Utf8JsonWriter writer, string name, string address, int port, long bytes, long packets)
    {
        writer.WriteStartObject(name);
        writer.WriteString("ip", address);
        if (port != 0)
        {
            writer.WriteNumber("port", port);
        }

        writer.WriteNumber("bytes", bytes);
        writer.WriteNumber("packets", packets);
        writer.WriteEndObject();
    }

    private static void Optional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void Strings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>RFC 3339 UTC with nine fractional digits (ECS <c>date</c>; Elasticsearch's <c>date_nanos</c> keeps them).</summary>
    private static string Time(long nanoseconds) => new Core.Time.Timestamp(nanoseconds).ToString();

    private static string Transport(int protocol) => protocol switch
    {
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        58 => "ipv6-icmp",
        132 => "sctp",
        136 => "udplite",
        47 => "gre",
        50 => "esp",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };

    private static string? Version(ushort version) => version switch
    {
        0x0300 => "3.0",
        0x0301 => "1.0",
        0x0302 => "1.1",
        0x0303 => "1.2",
        0x0304 => "1.3",
        _ => null,
    };

    private static string Opcode(int opcode) => opcode switch
    {
        0 => "QUERY",
        1 => "IQUERY",
        2 => "STATUS",
        4 => "NOTIFY",
        5 => "UPDATE",
        _ => opcode.ToString(CultureInfo.InvariantCulture),
    };

    private static string ResponseCode(int code) => code switch
    {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        6 => "YXDOMAIN",
        7 => "YXRRSET",
        8 => "NXRRSET",
        9 => "NOTAUTH",
        10 => "NOTZONE",
        _ => code.ToString(CultureInfo.InvariantCulture),
    };

    private static string DnsClass(ushort value) => value switch
    {
        1 => "IN",
        3 => "CH",
        4 => "HS",
        255 => "ANY",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    private static string DnsType(ushort value) => value switch
    {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        12 => "PTR",
        15 => "MX",
        16 => "TXT",
        28 => "AAAA",
        33 => "SRV",
        35 => "NAPTR",
        43 => "DS",
        46 => "RRSIG",
        47 => "NSEC",
        48 => "DNSKEY",
        64 => "SVCB",
        65 => "HTTPS",
        255 => "ANY",
        257 => "CAA",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };
}
