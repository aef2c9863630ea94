using System.Buffers.Binary;
using System.Net;

namespace Recorder.TestSupport;

/// <summary>Builds small, valid Ethernet/IPv4/IPv6 frames for tests that need exact control.</summary>
public static class Frames
{
    public static byte[] Tcp(string source, ushort sourcePort, string destination, ushort destinationPort, int payload = 0, byte flags = 0x18) =>
        Ip(source, destination, 6, Transport(sourcePort, destinationPort, 20, payload, tcpFlags: flags));

    /// <summary>A TCP segment with the given sequence and acknowledgement numbers, flags and payload bytes (window 65535, no options).</summary>
    public static byte[] TcpSegment(string source, ushort sourcePort, string destination, ushort destinationPort, uint seq, uint ack, byte flags,
        ReadOnlySpan<byte> payload = default)
    {
        var transport = new byte[20 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(transport, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(transport.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(transport.AsSpan(4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(transport.AsSpan(8), ack);
        transport[12] = 0x50;
        transport[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(transport.AsSpan(14), 65535);
        payload.CopyTo(transport.AsSpan(20));
        return Ip(source, destination, 6, transport);
    }

    public static byte[] Udp(string source, ushort sourcePort, string destination, ushort destinationPort, int payload = 0) =>
        Ip(source, destination, 17, Transport(sourcePort, destinationPort, 8, payload, udp: true));

    public static byte[] Icmp(string source, string destination) =>
        Ip(source, destination, 1, [8, 0, 0, 0, 0, 1, 0, 1]);

    public static byte[] Arp(string sender, string target)
    {
        var frame = new byte[42];
        frame.AsSpan(0, 6).Fill(0xFF);
        frame[6] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0806);
        var arp = frame.AsSpan(14);
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], 0x0800);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], 1);
        IPAddress.Parse(sender).TryWriteBytes(arp[14..], out _);
        IPAddress.Parse(target).TryWriteBytes(arp[24..], out _);
        return frame;
    }

    /// <summary>An Ethernet frame with an IPv4 or IPv6 header (by the addresses' family) around <paramref name="transport"/>.</summary>
    public static byte[] Ip(string source, string destination, byte protocol, byte[] transport)
    {
        var src = IPAddress.Parse(source);
        var dst = IPAddress.Parse(destination);
        var v6 = src.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var ipLength = (v6 ? 40 : 20) + transport.Length;
        var frame = new byte[14 + ipLength];
        frame[0] = 0x02;
        frame[6] = 0x02;
        frame[11] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), v6 ? (ushort)0x86DD : (ushort)0x0800);
        var ip = frame.AsSpan(14);
        if (v6)
        {
            ip[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)transport.Length);
            ip[6] = protocol;
            ip[7] = 64;
            src.TryWriteBytes(ip[8..], out _);
            dst.TryWriteBytes(ip[24..], out _);
            transport.CopyTo(ip[40..]);
        }
        else
        {
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
            ip[8] = 64;
            ip[9] = protocol;
            src.TryWriteBytes(ip[12..], out _);
            dst.TryWriteBytes(ip[16..], out _);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip[..20]));
            transport.CopyTo(ip[20..]);
        }

        return frame;
    }

    private static byte[] Transport(ushort sourcePort, ushort destinationPort, int headerLength, int payload, bool udp = false, byte tcpFlags = 0)
    {
        var bytes = new byte[headerLength + payload];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), destinationPort);
        if (udp)
        {
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), (ushort)bytes.Length);
        }
        else
        {
            bytes[12] = 0x50;
            bytes[13] = tcpFlags;
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(14), 65535);
        }

        for (var i = 0; i < payload; i++)
        {
            bytes[headerLength + i] = (byte)('a' + (i % 26));
        }

        return bytes;
    }

    private static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (var i = 0; i < header.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return unchecked((ushort)~sum);
    }
}
