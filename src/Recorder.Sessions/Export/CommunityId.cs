using System.Buffers.Binary;
using System.Security.Cryptography;
using Recorder.Core.Packets;

namespace Recorder.Sessions.Export;

/// <summary>
/// Community ID flow hashing, version 1 (github.com/corelight/community-id-spec), with seed 0: the
/// same flow gets the same <c>network.community_id</c> in Zeek, Suricata, Arkime, Wireshark and here,
/// so a SIEM can join our records with theirs. TCP, UDP and SCTP hash their ports; other IP
/// protocols hash addresses and protocol only. ICMP and ICMPv6 are left out (null): the spec hashes
/// their type and code, which a session record (both directions, many messages) does not have.
/// </summary>
public static class CommunityId
{
    /// <summary>The Community ID of a flow between two (address, port) endpoints, or null for protocols without ports.</summary>
    public static string? Compute(NetworkKind network, byte protocol, UInt128 addressA, ushort portA, UInt128 addressB, ushort portB)
    {
        if (protocol is Protocols.Icmp or Protocols.Icmp6 || network is not (NetworkKind.IPv4 or NetworkKind.IPv6))
        {
            return null;
        }

        // UDP-Lite has ports but the spec names only TCP, UDP and SCTP as port protocols.
        var ports = protocol is Protocols.Tcp or Protocols.Udp or Protocols.Sctp;
        if (!ports)
        {
            (portA, portB) = (0, 0);
        }

        var length = network == NetworkKind.IPv4 ? 4 : 16;
        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        IpAddress128.Write(addressA, a);
        IpAddress128.Write(addressB, b);
        var aBytes = a[(16 - length)..];
        var bBytes = b[(16 - length)..];

        // The spec orders the endpoints: the smaller address first, ports breaking a tie.
        var order = aBytes.SequenceCompareTo(bBytes);
        if (order > 0 || (order == 0 && portA > portB))
        {
            (addressA, addressB) = (addressB, addressA);
            (portA, portB) = (portB, portA);
            IpAddress128.Write(addressA, a);
            IpAddress128.Write(addressB, b);
        }

        Span<byte> input = stackalloc byte[2 + 16 + 16 + 2 + 4];
        var offset = 0;
        BinaryPrimitives.WriteUInt16BigEndian(input, 0);
        offset += 2;
        a[(16 - length)..].CopyTo(input[offset..]);
        offset += length;
        b[(16 - length)..].CopyTo(input[offset..]);
        offset += length;
        input[offset++] = protocol;
        input[offset++] = 0;
        if (ports)
        {
            BinaryPrimitives.WriteUInt16BigEndian(input[offset..], portA);
            offset += 2;
            BinaryPrimitives.WriteUInt16BigEndian(input[offset..], portB);
            offset += 2;
        }

        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input[..offset], hash);
        return "1:" + Convert.ToBase64String(hash);
    }
}
