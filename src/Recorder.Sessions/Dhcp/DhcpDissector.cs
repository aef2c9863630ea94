using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using Recorder.Sessions.Reassembly;

namespace Recorder.Sessions.Dhcp;

/// <summary>One DHCP message (RFC 2131, options RFC 2132 and RFC 4702): who asked, for what, and what was given.</summary>
public sealed record DhcpMessage
{
    /// <summary>When it was seen (Unix nanoseconds).</summary>
    public required long TimestampNanoseconds { get; init; }

    /// <summary>1 = BOOTREQUEST (client), 2 = BOOTREPLY (server).</summary>
    public required int Op { get; init; }

    /// <summary>The DHCP message type (option 53): DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM…, or its number.</summary>
    public string? MessageType { get; init; }

    /// <summary>The transaction id (hex).</summary>
    public required string TransactionId { get; init; }

    /// <summary>The client's hardware address (<c>chaddr</c>, colon-separated hex), for Ethernet the MAC.</summary>
    public required string ClientHardwareAddress { get; init; }

    /// <summary><c>ciaddr</c>: the address the client already has (0.0.0.0 when none).</summary>
    public required string ClientAddress { get; init; }

    /// <summary><c>yiaddr</c>: the address the server gives the client ("your" address).</summary>
    public required string YourAddress { get; init; }

    /// <summary>Option 50: the address the client asks for.</summary>
    public string? RequestedAddress { get; init; }

    /// <summary>Option 12: the client's host name.</summary>
    public string? HostName { get; init; }

    /// <summary>Option 81: the client's fully qualified domain name.</summary>
    public string? ClientFqdn { get; init; }

    /// <summary>Option 60: the vendor class identifier.</summary>
    public string? VendorClass { get; init; }

    /// <summary>Option 54: the server identifier.</summary>
    public string? ServerIdentifier { get; init; }

    /// <summary>Option 51: the lease time in seconds.</summary>
    public long? LeaseSeconds { get; init; }

    /// <summary>Why the message could not be read whole, else null.</summary>
    public string? Malformed { get; init; }
}

/// <summary>A DHCP session's messages (the first <see cref="MaxMessages"/>; the rest counted).</summary>
public sealed class DhcpSessionMetadata : ISessionMetadata
{
    /// <summary>Messages kept per session.</summary>
    public const int MaxMessages = 64;

    /// <inheritdoc />
    public string Application => "dhcp";

    /// <summary>The messages, in order of arrival.</summary>
    public List<DhcpMessage> Messages { get; } = [];

    /// <summary>Messages seen beyond <see cref="MaxMessages"/>.</summary>
    public long MessagesNotKept { get; internal set; }
}

/// <summary>Parses each DHCP datagram of a session into a <see cref="DhcpMessage"/>.</summary>
internal sealed class DhcpDatagramDissector : IDatagramDissector
{
    private readonly DhcpSessionMetadata _metadata = new();

    public DhcpDatagramDissector(SessionRecord session) => session.Metadata = _metadata;

    public void OnDatagram(bool fromClient, ReadOnlySpan<byte> payload, long timestampNanoseconds)
    {
        if (_metadata.Messages.Count >= DhcpSessionMetadata.MaxMessages)
        {
            _metadata.MessagesNotKept++;
            return;
        }

        _metadata.Messages.Add(DhcpParser.Parse(payload, timestampNanoseconds));
    }

    public void OnEnd()
    {
    }
}

/// <summary>The BOOTP/DHCP message parser (never throws; a message cut short keeps what was read and says where).</summary>
public static class DhcpParser
{
    private static readonly string[] MessageTypes =
        ["DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM", "FORCERENEW", "LEASEQUERY", "LEASEUNASSIGNED", "LEASEUNKNOWN", "LEASEACTIVE"];

    /// <summary>Parses one UDP payload.</summary>
    public static DhcpMessage Parse(ReadOnlySpan<byte> payload, long timestampNanoseconds)
    {
        if (payload.Length < 240)
        {
            return new DhcpMessage
            {
                TimestampNanoseconds = timestampNanoseconds, Op = payload.IsEmpty ? 0 : payload[0], TransactionId = string.Empty,
                ClientHardwareAddress = string.Empty, ClientAddress = string.Empty, YourAddress = string.Empty,
                Malformed = $"{payload.Length} bytes, shorter than the 240 of a BOOTP header with its magic cookie",
            };
        }

        var hardwareLength = Math.Min((int)payload[2], 16);
        string? type = null, host = null, fqdn = null, vendor = null, server = null, requested = null, malformed = null;
        long? lease = null;
        var options = payload[240..];
        var at = 0;
        while (at < options.Length)
        {
            var code = options[at];
            if (code == 255)
            {
                break;
            }

            if (code == 0)
            {
                at++;
                continue;
            }

            if (at + 1 >= options.Length || at + 2 + options[at + 1] > options.Length)
            {
                malformed = $"option {code} at offset {240 + at} runs past the end of the message";
                break;
            }

            var value = options.Slice(at + 2, options[at + 1]);
            switch (code)
            {
                case 53 when value.Length == 1:
                    type = value[0] >= 1 && value[0] <= MessageTypes.Length ? MessageTypes[value[0] - 1] : value[0].ToString(CultureInfo.InvariantCulture);
                    break;
                case 12:
                    host = Text(value);
                    break;
                case 81 when value.Length >= 3:
                    fqdn = Fqdn(value);
                    break;
                case 60:
                    vendor = Text(value);
                    break;
                case 54 when value.Length == 4:
                    server = new IPAddress(value).ToString();
                    break;
                case 50 when value.Length == 4:
                    requested = new IPAddress(value).ToString();
                    break;
                case 51 when value.Length == 4:
                    lease = BinaryPrimitives.ReadUInt32BigEndian(value);
                    break;
            }

            at += 2 + value.Length;
        }

        return new DhcpMessage
        {
            TimestampNanoseconds = timestampNanoseconds,
            Op = payload[0],
            MessageType = type,
            TransactionId = Convert.ToHexStringLower(payload.Slice(4, 4)),
            ClientHardwareAddress = string.Join(':', payload.Slice(28, hardwareLength).ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture))),
            ClientAddress = new IPAddress(payload.Slice(12, 4)).ToString(),
            YourAddress = new IPAddress(payload.Slice(16, 4)).ToString(),
            RequestedAddress = requested,
            HostName = host,
            ClientFqdn = fqdn,
            VendorClass = vendor,
            ServerIdentifier = server,
            LeaseSeconds = lease,
            Malformed = malformed,
        };
    }

    /// <summary>Option 81 (RFC 4702): flags, two obsolete RCODEs, then the name in DNS wire format (flag E) or ASCII.</summary>
    private static string Fqdn(ReadOnlySpan<byte> value)
    {
        var name = value[3..];
        if ((value[0] & 0x04) == 0)
        {
            return Text(name);
        }

        var labels = new List<string>();
        var at = 0;
        while (at < name.Length && name[at] != 0)
        {
            var length = name[at];
            if (length > 63 || at + 1 + length > name.Length)
            {
                labels.Add("\\(malformed)");
                break;
            }

            labels.Add(Text(name.Slice(at + 1, length)));
            at += 1 + length;
        }

        return string.Join('.', labels);
    }

    /// <summary>Printable ASCII as is; other bytes as \xHH (a host name is the client's claim, not trusted text).</summary>
    private static string Text(ReadOnlySpan<byte> bytes) =>
        // Some clients end the name with NUL bytes (as tshark, they are not part of it).
        ClaimedText.Escape(bytes.TrimEnd((byte)0));
}
