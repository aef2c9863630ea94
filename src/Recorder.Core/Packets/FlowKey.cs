namespace Recorder.Core.Packets;

/// <summary>
/// A bidirectional flow: kind, protocol and the two (address, port) endpoints in a canonical order
/// (the smaller endpoint first), so both directions of a conversation share one key.
/// Undecoded packets all share <see cref="Other"/>.
/// </summary>
public readonly record struct FlowKey(
    NetworkKind Kind,
    byte Protocol,
    bool HasPorts,
    UInt128 AddressA,
    ushort PortA,
    UInt128 AddressB,
    ushort PortB)
{
    /// <summary>The key every undecoded packet shares.</summary>
    public static readonly FlowKey Other = new(NetworkKind.Other, 0, false, 0, 0, 0, 0);

    /// <summary>Builds the canonical key of a decoded packet.</summary>
    public static FlowKey From(in DecodedPacket packet)
    {
        if (packet.Kind == NetworkKind.Other)
        {
            return Other;
        }

        var sourcePort = packet.HasPorts ? packet.SourcePort : (ushort)0;
        var destinationPort = packet.HasPorts ? packet.DestinationPort : (ushort)0;
        var sourceFirst = packet.Source < packet.Destination
            || (packet.Source == packet.Destination && sourcePort <= destinationPort);
        return sourceFirst
            ? new FlowKey(packet.Kind, packet.Protocol, packet.HasPorts, packet.Source, sourcePort, packet.Destination, destinationPort)
            : new FlowKey(packet.Kind, packet.Protocol, packet.HasPorts, packet.Destination, destinationPort, packet.Source, sourcePort);
    }

    /// <summary>True when the network layer carries IP addresses (IPv4, IPv6 or ARP).</summary>
    public bool HasAddresses => Kind != NetworkKind.Other;

    /// <inheritdoc />
    public override string ToString()
    {
        if (Kind == NetworkKind.Other)
        {
            return "other";
        }

        var v4 = Kind is NetworkKind.IPv4 or NetworkKind.Arp;
        var a = IpAddress128.Format(AddressA, v4);
        var b = IpAddress128.Format(AddressB, v4);
        var proto = Kind == NetworkKind.Arp ? "arp" : Protocols.Name(Protocol);
        return HasPorts ? $"{proto} {a}:{PortA} <-> {b}:{PortB}" : $"{proto} {a} <-> {b}";
    }
}
