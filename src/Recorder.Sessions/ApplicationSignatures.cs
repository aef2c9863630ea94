using System.Buffers.Binary;
using Recorder.Sessions.Dns;
using Recorder.Sessions.Files;
using Recorder.Sessions.Http;
using Recorder.Sessions.Reassembly;

namespace Recorder.Sessions;

/// <summary>
/// Identification by content. TLS streams go to <see cref="Tls.TlsStreamParser"/> and QUIC datagrams
/// to <see cref="Quic.QuicInitialParser"/>; SSH streams to the SSH dissector
/// (banners, HASSH); DHCP datagrams to the DHCP parser, SMTP streams to the SMTP dissector
/// (envelope, headers, attachments), FTP control streams to the FTP dissector (commands, transfers).
/// The rules are in docs/sessions.md "Identification".
/// </summary>
public static class ApplicationSignatures
{
    /// <summary>The stream factories in the order they are asked: DNS, HTTP, TLS, SSH, SMTP, FTP.</summary>
    public static IReadOnlyList<IStreamDissectorFactory> DefaultStreamFactories(IHttpBodySink? httpBodies = null) =>
        [new DnsStreamDissectorFactory(), new HttpDissectorFactory(httpBodies), new TlsIdentification(), new SshIdentification(), new SmtpIdentification(), new FtpIdentification()];

    /// <summary>
    /// The stream factories in the same order, with every transferred file given to <paramref name="files"/>:
    /// HTTP bodies (decoded by an <see cref="HttpObjectExtractor"/>), SMTP attachments and FTP data
    /// connections (tied to their control session).
    /// </summary>
    public static IReadOnlyList<IStreamDissectorFactory> DefaultStreamFactories(FileObserver files) => DefaultStreamFactories(files, []);

    /// <summary>
    /// As <see cref="DefaultStreamFactories(FileObserver)"/>, with FTP data connections announced in the
    /// previous segment (<paramref name="carriedFtpData"/>) waiting from the start.
    /// </summary>
    public static IReadOnlyList<IStreamDissectorFactory> DefaultStreamFactories(FileObserver files, IReadOnlyList<Ftp.FtpCarriedData> carriedFtpData)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(carriedFtpData);
        return [new DnsStreamDissectorFactory(), new HttpDissectorFactory(new HttpObjectExtractor(files.OnFile, files.Options, files.Content)),
            new TlsIdentification(), new SshIdentification(), new SmtpIdentification(files), new FtpIdentification(files, carriedFtpData)];
    }

    /// <summary>The datagram factories in the order they are asked: DHCP, QUIC, DNS.</summary>
    public static IReadOnlyList<IDatagramDissectorFactory> DefaultDatagramFactories() =>
        [new DhcpIdentification(), new QuicIdentification(), new DnsDatagramDissectorFactory()];

    internal static bool StartsWithIgnoreCase(ReadOnlySpan<byte> data, ReadOnlySpan<byte> prefix)
    {
        if (data.Length < prefix.Length)
        {
            return false;
        }

        for (var i = 0; i < prefix.Length; i++)
        {
            var b = data[i];
            if (b is >= (byte)'a' and <= (byte)'z')
            {
                b -= 0x20;
            }

            if (b != prefix[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A server's FTP/SMTP greeting: "220" then a space or a hyphen (RFC 5321 §4.2, RFC 959 §4.2).</summary>
    internal static bool IsGreeting220(ReadOnlySpan<byte> server) =>
        server.Length >= 4 && server[0] == '2' && server[1] == '2' && server[2] == '0' && server[3] is (byte)' ' or (byte)'-';
}

/// <summary>TLS: a handshake record (content type 22, version 3.0–3.4, length ≤ 2^14 + 2048) holding a ClientHello from the client or a ServerHello from the server (RFC 8446 §5.1, §4).</summary>
public sealed class TlsIdentification : IStreamDissectorFactory
{
    /// <inheritdoc />
    public string Application => "tls";

    /// <inheritdoc />
    public bool Claims(bool fromClient, ReadOnlySpan<byte> firstBytes)
    {
        if (firstBytes.Length < 6 || firstBytes[0] != 22 || firstBytes[1] != 3 || firstBytes[2] > 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(firstBytes[3..]);
        return length is >= 4 and <= 16384 + 2048 && firstBytes[5] == (fromClient ? 1 : 2);
    }

    /// <inheritdoc />
    public IStreamDissector? Create(SessionRecord session) => new Tls.TlsStreamDissector(session);
}

/// <summary>SSH: the identification string <c>SSH-2.0-</c> (or <c>SSH-1.99-</c>) from either side (RFC 4253 §4.2).</summary>
public sealed class SshIdentification : IStreamDissectorFactory
{
    /// <inheritdoc />
    public string Application => "ssh";

    /// <inheritdoc />
    public bool Claims(bool fromClient, ReadOnlySpan<byte> firstBytes) =>
        firstBytes.StartsWith("SSH-2.0-"u8) || firstBytes.StartsWith("SSH-1.99-"u8);

    /// <inheritdoc />
    public IStreamDissector? Create(SessionRecord session) => new Ssh.SshStreamDissector(session);
}

/// <summary>SMTP: the server's 220 greeting and the client's <c>EHLO</c>/<c>HELO</c> (RFC 5321 §3.1, §4.1.1.1); both are needed.</summary>
public sealed class SmtpIdentification(FileObserver? files = null) : IStreamDissectorFactory
{
    /// <inheritdoc />
    public string Application => "smtp";

    /// <inheritdoc />
    public bool Claims(bool fromClient, ReadOnlySpan<byte> firstBytes) => false;

    /// <inheritdoc />
    public bool Claims(ReadOnlySpan<byte> clientFirstBytes, ReadOnlySpan<byte> serverFirstBytes) =>
        ApplicationSignatures.IsGreeting220(serverFirstBytes)
        && (ApplicationSignatures.StartsWithIgnoreCase(clientFirstBytes, "EHLO "u8) || ApplicationSignatures.StartsWithIgnoreCase(clientFirstBytes, "HELO "u8));

    /// <inheritdoc />
    public IStreamDissector? Create(SessionRecord session) => new Smtp.SmtpStreamDissector(session, files);
}

/// <summary>
/// FTP control: the server's 220 greeting and the client's <c>USER</c> (RFC 959 §4.1.1); both are needed.
/// FTP data: a TCP connection to an endpoint a control session of the same builder announced (PORT,
/// EPRT, 227, 229) is claimed as <c>ftp-data</c> when it opens, before identification by content;
/// with a <see cref="FileObserver"/> its octets are a <see cref="TransferredFile"/>. Announcements
/// the previous segment left waiting (<paramref name="carried"/>) are claimed the same way, within their time limit.
/// </summary>
public sealed class FtpIdentification(FileObserver? files = null, IReadOnlyList<Ftp.FtpCarriedData>? carried = null)
    : IStreamDissectorFactory, IExpectedConnectionFactory
{
    private readonly Ftp.FtpDataChannels channels = new(files, carried);

    /// <summary>The application name of FTP data connections.</summary>
    public const string DataApplication = "ftp-data";

    /// <inheritdoc />
    public string Application => "ftp";

    /// <inheritdoc />
    public bool Claims(bool fromClient, ReadOnlySpan<byte> firstBytes) => false;

    /// <inheritdoc />
    public bool Claims(ReadOnlySpan<byte> clientFirstBytes, ReadOnlySpan<byte> serverFirstBytes) =>
        ApplicationSignatures.IsGreeting220(serverFirstBytes) && ApplicationSignatures.StartsWithIgnoreCase(clientFirstBytes, "USER "u8);

    /// <inheritdoc />
    public IStreamDissector? Create(SessionRecord session) => new Ftp.FtpStreamDissector(session, channels);

    /// <inheritdoc />
    public IStreamDissector? ClaimExpected(SessionRecord session, out string application)
    {
        application = DataApplication;
        return channels.Claim(session);
    }
}

/// <summary>DHCP: a BOOTP message (op 1 or 2, hardware type and length sane) with the magic cookie 99.130.83.99 at offset 236 (RFC 2131 §3, RFC 2132 §2).</summary>
public sealed class DhcpIdentification : IDatagramDissectorFactory
{
    /// <inheritdoc />
    public string Application => "dhcp";

    /// <inheritdoc />
    public bool Claims(bool fromClient, ReadOnlySpan<byte> payload) =>
        payload.Length >= 240 && payload[0] is 1 or 2 && payload[2] <= 16
        && BinaryPrimitives.ReadUInt32BigEndian(payload[236..]) == 0x63825363;

    /// <inheritdoc />
    public IDatagramDissector? Create(SessionRecord session) => new Dhcp.DhcpDatagramDissector(session);
}

/// <summary>
/// QUIC: a long-header packet (header form and fixed bits set, RFC 9000 §17.2) of a known version
/// (1, 2 = 0x6b3343cf, drafts 29–34) with connection ids of at most 20 octets that fit the datagram.
/// </summary>
public sealed class QuicIdentification : IDatagramDissectorFactory
{
    /// <inheritdoc />
    public string Application => "quic";

    /// <inheritdoc />
    public bool Claims(bool fromClient, ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 7 || (payload[0] & 0xC0) != 0xC0)
        {
            return false;
        }

        var version = BinaryPrimitives.ReadUInt32BigEndian(payload[1..]);
        if (version is not (1 or 0x6b3343cf) && version is not (>= 0xff00001d and <= 0xff000022))
        {
            return false;
        }

        var destinationLength = payload[5];
        if (destinationLength > 20 || 6 + destinationLength >= payload.Length)
        {
            return false;
        }

        var sourceLength = payload[6 + destinationLength];
        return sourceLength <= 20 && 7 + destinationLength + sourceLength <= payload.Length;
    }

    /// <inheritdoc />
    public IDatagramDissector? Create(SessionRecord session) => new Tls.QuicDatagramDissector(session);
}
