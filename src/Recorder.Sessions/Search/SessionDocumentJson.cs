using System.Text.Json;
using Recorder.Sessions.Ftp;

namespace Recorder.Sessions.Search;

/// <summary>
/// The JSON form of a <see cref="SessionDocument"/>: one object per line (JSON Lines), UTF-8, field
/// names and order as written here (docs/sessions.md, "In the store"). Optional fields (<c>vlan</c>,
/// <c>application</c>, <c>dissectorFailure</c>, and the <c>dns</c>/<c>http</c>/<c>tls</c>/<c>quic</c>
/// objects) are left out when empty. Written with <see cref="Utf8JsonWriter"/> (no reflection).
/// </summary>
public static class SessionDocumentJson
{
    /// <summary>Writes <paramref name="document"/> as one JSON object (no newline).</summary>
    public static void Write(Utf8JsonWriter writer, SessionDocument document)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(document);
        writer.WriteStartObject();
        writer.WriteNumber("segmentId", document.SegmentId);
        writer.WriteNumber("id", document.Id);
        writer.WriteString("network", document.Network);
        writer.WriteNumber("protocol", document.Protocol);
        writer.WriteString("client", document.Client);
        writer.WriteNumber("clientPort", document.ClientPort);
        writer.WriteString("server", document.Server);
        writer.WriteNumber("serverPort", document.ServerPort);
        if (document.Vlan is { } vlan)
        {
            writer.WriteNumber("vlan", vlan);
        }

        writer.WriteNumber("linkType", document.LinkType);
        writer.WriteNumber("firstNanoseconds", document.FirstNanoseconds);
        writer.WriteNumber("lastNanoseconds", document.LastNanoseconds);
        writer.WriteNumber("clientPackets", document.ClientPackets);
        writer.WriteNumber("clientBytes", document.ClientBytes);
        writer.WriteNumber("clientPayloadBytes", document.ClientPayloadBytes);
        writer.WriteNumber("serverPackets", document.ServerPackets);
        writer.WriteNumber("serverBytes", document.ServerBytes);
        writer.WriteNumber("serverPayloadBytes", document.ServerPayloadBytes);
        writer.WriteNumber("clientTcpFlags", document.ClientTcpFlags);
        writer.WriteNumber("serverTcpFlags", document.ServerTcpFlags);
        writer.WriteString("connState", document.ConnState);
        writer.WriteString("history", document.History);
        if (document.Application is not null)
        {
            writer.WriteString("application", document.Application);
        }

        writer.WriteBoolean("contentIncomplete", document.ContentIncomplete);
        writer.WriteNumber("clientMissingBytes", document.ClientMissingBytes);
        writer.WriteNumber("serverMissingBytes", document.ServerMissingBytes);
        writer.WriteBoolean("startedMidStream", document.StartedMidStream);
        writer.WriteNumber("retransmissions", document.Retransmissions);
        writer.WriteNumber("overlapConflicts", document.OverlapConflicts);
        writer.WriteString("endReason", document.EndReason);
        if (document.DissectorFailure is not null)
        {
            writer.WriteString("dissectorFailure", document.DissectorFailure);
        }

        writer.WriteBoolean("continuesPreviousSegment", document.ContinuesPreviousSegment);
        writer.WriteBoolean("openAtSegmentEnd", document.OpenAtSegmentEnd);
        if (document.DnsQueries.Count + document.DnsAnswers.Count + document.DnsResponseCodes.Count > 0)
        {
            writer.WriteStartObject("dns");
            Strings(writer, "queries", document.DnsQueries);
            Strings(writer, "answers", document.DnsAnswers);
            Numbers(writer, "responseCodes", document.DnsResponseCodes);
            writer.WriteEndObject();
        }

        if (document.HttpHosts.Count + document.HttpUris.Count + document.HttpUserAgents.Count + document.HttpMethods.Count + document.HttpStatuses.Count > 0)
        {
            writer.WriteStartObject("http");
            Strings(writer, "methods", document.HttpMethods);
            Strings(writer, "hosts", document.HttpHosts);
            Strings(writer, "uris", document.HttpUris);
            Strings(writer, "userAgents", document.HttpUserAgents);
            Numbers(writer, "statuses", document.HttpStatuses);
            writer.WriteEndObject();
        }

        if (document.TlsSni is not null || document.Ja3 is not null || document.Ja3S is not null || document.CertificateSha256.Count > 0
            || document.TlsHelloRetryRequest || document.TlsRetryJa3 is not null || document.TlsRetryJa4 is not null || document.TlsRetrySni is not null)
        {
            writer.WriteStartObject("tls");
            OptionalString(writer, "sni", document.TlsSni);
            Strings(writer, "alpn", document.TlsAlpn);
            OptionalString(writer, "ja3", document.Ja3);
            OptionalString(writer, "ja3s", document.Ja3S);
            OptionalString(writer, "ja4", document.Ja4);
            OptionalString(writer, "ja4s", document.Ja4S);
            Strings(writer, "certificateSha256", document.CertificateSha256);
            Retry(writer, document.TlsHelloRetryRequest, document.TlsRetryJa3, document.TlsRetryJa4, document.TlsRetrySni);
            writer.WriteEndObject();
        }

        if (document.FileSha256.Count > 0 || document.Files.Count > 0)
        {
            writer.WriteStartObject("files");
            Strings(writer, "sha256", document.FileSha256);
            if (document.Files.Count > 0)
            {
                writer.WriteStartArray("items");
                foreach (var file in document.Files)
                {
                    WriteFile(writer, file);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        if (document.QuicVersion is not null || document.QuicSni is not null || document.QuicJa4 is not null || document.QuicHelloRetryRequest
            || document.QuicRetryJa4 is not null || document.QuicRetrySni is not null)
        {
            writer.WriteStartObject("quic");
            OptionalString(writer, "version", document.QuicVersion);
            OptionalString(writer, "sni", document.QuicSni);
            Strings(writer, "alpn", document.QuicAlpn);
            OptionalString(writer, "ja4", document.QuicJa4);
            Retry(writer, document.QuicHelloRetryRequest, ja3: null, document.QuicRetryJa4, document.QuicRetrySni);
            writer.WriteEndObject();
        }

        if (document.FtpWaitingData.Count > 0)
        {
            writer.WriteStartArray("ftpWaitingData");
            foreach (var waiting in document.FtpWaitingData)
            {
                WriteWaiting(writer, waiting);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads one JSON object written by <see cref="Write"/>; throws <see cref="FormatException"/> when it is not one.</summary>
    public static SessionDocument Read(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            using var json = JsonDocument.ParseValue(ref reader);
            return Read(json.RootElement);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            throw new FormatException($"not a session record: {e.Message}", e);
        }
    }

    private static SessionDocument Read(JsonElement root)
    {
        var dns = Object(root, "dns");
        var http = Object(root, "http");
        var tls = Object(root, "tls");
        var quic = Object(root, "quic");
        return new SessionDocument
        {
            SegmentId = root.GetProperty("segmentId").GetInt64(),
            Id = root.GetProperty("id").GetInt64(),
            Network = root.GetProperty("network").GetString()!,
            Protocol = root.GetProperty("protocol").GetInt32(),
            Client = root.GetProperty("client").GetString()!,
            ClientPort = root.GetProperty("clientPort").GetInt32(),
            Server = root.GetProperty("server").GetString()!,
            ServerPort = root.GetProperty("serverPort").GetInt32(),
            Vlan = root.TryGetProperty("vlan", out var vlan) ? vlan.GetInt32() : null,
            LinkType = root.GetProperty("linkType").GetInt32(),
            FirstNanoseconds = root.GetProperty("firstNanoseconds").GetInt64(),
            LastNanoseconds = root.GetProperty("lastNanoseconds").GetInt64(),
            ClientPackets = root.GetProperty("clientPackets").GetInt64(),
            ClientBytes = root.GetProperty("clientBytes").GetInt64(),
            ClientPayloadBytes = root.GetProperty("clientPayloadBytes").GetInt64(),
            ServerPackets = root.GetProperty("serverPackets").GetInt64(),
            ServerBytes = root.GetProperty("serverBytes").GetInt64(),
            ServerPayloadBytes = root.GetProperty("serverPayloadBytes").GetInt64(),
            ClientTcpFlags = root.GetProperty("clientTcpFlags").GetInt32(),
            ServerTcpFlags = root.GetProperty("serverTcpFlags").GetInt32(),
            ConnState = root.GetProperty("connState").GetString()!,
            History = root.GetProperty("history").GetString()!,
            Application = root.TryGetProperty("application", out var application) ? application.GetString() : null,
            ContentIncomplete = root.GetProperty("contentIncomplete").GetBoolean(),
            ClientMissingBytes = root.GetProperty("clientMissingBytes").GetInt64(),
            ServerMissingBytes = root.GetProperty("serverMissingBytes").GetInt64(),
            StartedMidStream = root.GetProperty("startedMidStream").GetBoolean(),
            Retransmissions = root.GetProperty("retransmissions").GetInt64(),
            OverlapConflicts = root.GetProperty("overlapConflicts").GetInt64(),
            EndReason = root.GetProperty("endReason").GetString()!,
            DissectorFailure = root.TryGetProperty("dissectorFailure", out var failure) ? failure.GetString() : null,
            ContinuesPreviousSegment = root.GetProperty("continuesPreviousSegment").GetBoolean(),
            DnsQueries = Strings(dns, "queries"),
            DnsAnswers = Strings(dns, "answers"),
            DnsResponseCodes = Numbers(dns, "responseCodes"),
            HttpMethods = Strings(http, "methods"),
            HttpHosts = Strings(http, "hosts"),
            HttpUris = Strings(http, "uris"),
            HttpUserAgents = Strings(http, "userAgents"),
            HttpStatuses = Numbers(http, "statuses"),
            TlsSni = OptionalString(tls, "sni"),
            TlsAlpn = Strings(tls, "alpn"),
            Ja3 = OptionalString(tls, "ja3"),
            Ja3S = OptionalString(tls, "ja3s"),
            Ja4 = OptionalString(tls, "ja4"),
            Ja4S = OptionalString(tls, "ja4s"),
            CertificateSha256 = Strings(tls, "certificateSha256"),
            TlsHelloRetryRequest = OptionalBoolean(tls, "helloRetryRequest"),
            TlsRetryJa3 = OptionalString(tls, "retryJa3"),
            TlsRetryJa4 = OptionalString(tls, "retryJa4"),
            TlsRetrySni = OptionalString(tls, "retrySni"),
            QuicVersion = OptionalString(quic, "version"),
            QuicSni = OptionalString(quic, "sni"),
            QuicAlpn = Strings(quic, "alpn"),
            QuicJa4 = OptionalString(quic, "ja4"),
            QuicHelloRetryRequest = OptionalBoolean(quic, "helloRetryRequest"),
            QuicRetryJa4 = OptionalString(quic, "retryJa4"),
            QuicRetrySni = OptionalString(quic, "retrySni"),
            FileSha256 = Strings(Object(root, "files"), "sha256"),
            Files = Object(root, "files") is { } files && files.TryGetProperty("items", out var items) ? items.EnumerateArray().Select(ReadFile).ToList() : [],
            FtpWaitingData = root.TryGetProperty("ftpWaitingData", out var waiting) ? waiting.EnumerateArray().Select(ReadWaiting).ToList() : [],
        };
    }

    /// <summary>
    /// The HelloRetryRequest fields, each written only when set: records of handshakes without one
    /// keep the bytes they had before these fields existed, and records written before read back as
    /// "no retry".
    /// </summary>
    private static void Retry(Utf8JsonWriter writer, bool helloRetryRequest, string? ja3, string? ja4, string? sni)
    {
        if (helloRetryRequest)
        {
            writer.WriteBoolean("helloRetryRequest", true);
        }

        OptionalString(writer, "retryJa3", ja3);
        OptionalString(writer, "retryJa4", ja4);
        OptionalString(writer, "retrySni", sni);
    }

    private static void WriteFile(Utf8JsonWriter writer, SessionFile file)
    {
        writer.WriteStartObject();
        writer.WriteString("protocol", file.Protocol);
        writer.WriteString("direction", file.Direction);
        OptionalString(writer, "name", file.Name);
        writer.WriteString("type", file.Type);
        writer.WriteString("mediaType", file.MediaType);
        writer.WriteNumber("size", file.Size);
        OptionalString(writer, "sha256", file.Sha256);
        OptionalString(writer, "sha1", file.Sha1);
        OptionalString(writer, "md5", file.Md5);
        OptionalString(writer, "partialSha256", file.PartialSha256);
        OptionalString(writer, "issues", file.Issues);
        OptionalString(writer, "command", file.Command);
        if (file.ControlSession is { } control)
        {
            writer.WriteNumber("controlSession", control);
        }

        if (file.ControlSegment is { } controlSegment)
        {
            writer.WriteNumber("controlSegment", controlSegment);
        }

        writer.WriteEndObject();
    }

    private static SessionFile ReadFile(JsonElement item) => new()
    {
        Protocol = item.GetProperty("protocol").GetString()!,
        Direction = item.GetProperty("direction").GetString()!,
        Name = OptionalString(item, "name"),
        Type = item.GetProperty("type").GetString()!,
        MediaType = item.GetProperty("mediaType").GetString()!,
        Size = item.GetProperty("size").GetInt64(),
        Sha256 = OptionalString(item, "sha256"),
        Sha1 = OptionalString(item, "sha1"),
        Md5 = OptionalString(item, "md5"),
        PartialSha256 = OptionalString(item, "partialSha256"),
        Issues = OptionalString(item, "issues"),
        Command = OptionalString(item, "command"),
        ControlSession = item.TryGetProperty("controlSession", out var control) ? control.GetInt64() : null,
        ControlSegment = item.TryGetProperty("controlSegment", out var controlSegment) ? controlSegment.GetInt64() : null,
    };

    private static void WriteWaiting(Utf8JsonWriter writer, FtpWaitingData waiting)
    {
        writer.WriteStartObject();
        OptionalString(writer, "address", waiting.Address);
        writer.WriteNumber("port", waiting.Port);
        writer.WriteBoolean("passive", waiting.Passive);
        writer.WriteNumber("announcedNanoseconds", waiting.AnnouncedNanoseconds);
        OptionalString(writer, "command", waiting.Command);
        OptionalString(writer, "path", waiting.Path);
        if (waiting.AnnouncedBytes is { } bytes)
        {
            writer.WriteNumber("announcedBytes", bytes);
        }

        writer.WriteEndObject();
    }

    private static FtpWaitingData ReadWaiting(JsonElement item) => new()
    {
        Address = OptionalString(item, "address"),
        Port = item.GetProperty("port").GetInt32(),
        Passive = item.GetProperty("passive").GetBoolean(),
        AnnouncedNanoseconds = item.GetProperty("announcedNanoseconds").GetInt64(),
        Command = OptionalString(item, "command"),
        Path = OptionalString(item, "path"),
        AnnouncedBytes = item.TryGetProperty("announcedBytes", out var bytes) ? bytes.GetInt64() : null,
    };

    private static JsonElement? Object(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private static bool OptionalBoolean(JsonElement? parent, string name) =>
        parent is { } p && p.TryGetProperty(name, out var value) && value.GetBoolean();

    private static string? OptionalString(JsonElement? parent, string name) =>
        parent is { } p && p.TryGetProperty(name, out var value) ? value.GetString() : null;

    private static List<string> Strings(JsonElement? parent, string name) =>
        parent is { } p && p.TryGetProperty(name, out var value) ? value.EnumerateArray().Select(e => e.GetString()!).ToList() : [];

    private static List<int> Numbers(JsonElement? parent, string name) =>
        parent is { } p && p.TryGetProperty(name, out var value) ? value.EnumerateArray().Select(e => e.GetInt32()).ToList() : [];

    private static void Strings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static void Numbers(Utf8JsonWriter writer, string name, IReadOnlyList<int> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }

    private static void OptionalString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
