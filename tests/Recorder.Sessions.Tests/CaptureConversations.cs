using System.Buffers.Binary;
using System.Net;
using Recorder.Core.Formats;

namespace Recorder.Sessions.Tests;

/// <summary>One TCP or UDP conversation of a capture, as a session table would hand it to a dissector.</summary>
internal sealed class Conversation
{
    public required string Transport { get; init; }

    public required string Client { get; init; }

    public required int ClientPort { get; init; }

    public required string Server { get; init; }

    public required int ServerPort { get; init; }

    /// <summary>TCP: each direction's bytes in sequence order (duplicates dropped); gaps marked. UDP: datagrams in arrival order.</summary>
    public List<(bool FromClient, byte[] Bytes, bool GapBefore)> Items { get; } = [];

    public List<(bool FromClient, uint Seq, byte[] Payload)> Segments { get; } = [];
}

/// <summary>
/// A deliberately plain reader of small test captures into conversations (Ethernet, NULL/loopback,
/// raw IP, Linux SLL; IPv4 and IPv6; TCP and UDP). It is test scaffolding, not the product's session table.
/// </summary>
internal static class CaptureConversations
{
    public static List<Conversation> Read(string path)
    {
        var conversations = new Dictionary<string, Conversation>();
        var order = new List<Conversation>();
        using var reader = CaptureFileReader.Open(path);
        while (reader.TryRead(out var packet))
        {
            if (!TryIp(packet.LinkType, packet.Data, out var ip))
            {
                continue;
            }

            if (!TryTransport(ip, out var protocol, out var source, out var destination, out var sourcePort, out var destinationPort, out var seq,
                    out var flags, out var payload))
            {
                continue;
            }

            var forward = $"{protocol}|{source}|{sourcePort}|{destination}|{destinationPort}";
            var backward = $"{protocol}|{destination}|{destinationPort}|{source}|{sourcePort}";
            bool fromClient;
            if (conversations.TryGetValue(forward, out var conversation))
            {
                fromClient = true;
            }
            else if (conversations.TryGetValue(backward, out conversation))
            {
                fromClient = false;
            }
            else
            {
                // The opener is the client: a SYN without ACK, or the first datagram's sender.
                var synAck = protocol == "tcp" && (flags & 0x12) == 0x12;
                conversation = synAck
                    ? new Conversation { Transport = protocol, Client = destination, ClientPort = destinationPort, Server = source, ServerPort = sourcePort }
                    : new Conversation { Transport = protocol, Client = source, ClientPort = sourcePort, Server = destination, ServerPort = destinationPort };
                conversations[$"{protocol}|{conversation.Client}|{conversation.ClientPort}|{conversation.Server}|{conversation.ServerPort}"] = conversation;
                order.Add(conversation);
                fromClient = !synAck;
            }

            if (protocol == "udp")
            {
                conversation.Items.Add((fromClient, payload, false));
            }
            else
            {
                var data = (flags & 0x02) != 0 ? [] : payload;
                conversation.Segments.Add((fromClient, (flags & 0x02) != 0 ? seq + 1 : seq, data));
            }
        }

        foreach (var conversation in order.Where(c => c.Transport == "tcp"))
        {
            Reassemble(conversation, fromClient: true);
            Reassemble(conversation, fromClient: false);
        }

        return order;
    }

    private static void Reassemble(Conversation conversation, bool fromClient)
    {
        var segments = conversation.Segments.Where(s => s.FromClient == fromClient).ToList();
        if (segments.Count == 0)
        {
            return;
        }

        // Small captures: sequence numbers are taken relative to the first segment, no wrap-around.
        var start = segments.Min(s => s.Seq);
        long next = 0;
        foreach (var (_, seq, payload) in segments.OrderBy(s => s.Seq - start))
        {
            long at = seq - start;
            if (payload.Length == 0 || at + payload.Length <= next)
            {
                continue;
            }

            var gap = at > next;
            var skip = (int)Math.Max(0, next - at);
            conversation.Items.Add((fromClient, payload[skip..], gap));
            next = at + payload.Length;
        }
    }

    private static bool TryIp(int linkType, ReadOnlySpan<byte> frame, out byte[] ip)
    {
        ip = [];
        int offset;
        switch (linkType)
        {
            case 1:
                offset = 12;
                var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
                offset += 2;
                while (etherType is 0x8100 or 0x88a8)
                {
                    etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
                    offset += 4;
                }

                break;
            case 0:
                offset = 4;
                break;
            case 101:
                offset = 0;
                break;
            case 113:
                offset = 16;
                break;
            case 276:
                offset = 20;
                break;
            default:
                return false;
        }

        if (frame.Length <= offset)
        {
            return false;
        }

        ip = frame[offset..].ToArray();
        return (ip[0] >> 4) is 4 or 6;
    }

    private static bool TryTransport(byte[] ip, out string protocol, out string source, out string destination, out int sourcePort,
        out int destinationPort, out uint seq, out byte flags, out byte[] payload)
    {
        protocol = source = destination = "";
        sourcePort = destinationPort = 0;
        seq = 0;
        flags = 0;
        payload = [];
        int next;
        int headerEnd;
        int end;
        if (ip[0] >> 4 == 4)
        {
            headerEnd = (ip[0] & 0xf) * 4;
            next = ip[9];
            end = Math.Min(ip.Length, BinaryPrimitives.ReadUInt16BigEndian(ip.AsSpan(2)));
            source = new IPAddress(ip.AsSpan(12, 4)).ToString();
            destination = new IPAddress(ip.AsSpan(16, 4)).ToString();
        }
        else
        {
            headerEnd = 40;
            next = ip[6];
            end = Math.Min(ip.Length, 40 + BinaryPrimitives.ReadUInt16BigEndian(ip.AsSpan(4)));
            source = new IPAddress(ip.AsSpan(8, 16)).ToString();
            destination = new IPAddress(ip.AsSpan(24, 16)).ToString();
        }

        var transport = ip.AsSpan(headerEnd, end - headerEnd);
        sourcePort = BinaryPrimitives.ReadUInt16BigEndian(transport);
        destinationPort = BinaryPrimitives.ReadUInt16BigEndian(transport[2..]);
        if (next == 6)
        {
            protocol = "tcp";
            seq = BinaryPrimitives.ReadUInt32BigEndian(transport[4..]);
            flags = transport[13];
            payload = transport[((transport[12] >> 4) * 4)..].ToArray();
            return true;
        }

        if (next == 17)
        {
            protocol = "udp";
            payload = transport[8..].ToArray();
            return true;
        }

        return false;
    }
}
