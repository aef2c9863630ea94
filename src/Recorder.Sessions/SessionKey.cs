using Recorder.Core.Packets;

namespace Recorder.Sessions;

/// <summary>
/// The direction-free key of a session: protocol, VLAN and the two (address, port) endpoints in
/// canonical order (smaller first). Ports are 0 for protocols without them, so ICMP and others are
/// keyed by address pair and protocol.
/// </summary>
internal readonly record struct SessionKey(NetworkKind Kind, byte Protocol, ushort Vlan, UInt128 AddressA, ushort PortA, UInt128 AddressB, ushort PortB)
{
    public static SessionKey From(in PacketView packet)
    {
        var sourcePort = packet.HasPorts ? packet.SourcePort : (ushort)0;
        var destinationPort = packet.HasPorts ? packet.DestinationPort : (ushort)0;
        var sourceFirst = packet.Source < packet.Destination
            || (packet.Source == packet.Destination && sourcePort <= destinationPort);
        return sourceFirst
            ? new SessionKey(packet.Kind, packet.Protocol, packet.Vlan, packet.Source, sourcePort, packet.Destination, destinationPort)
            : new SessionKey(packet.Kind, packet.Protocol, packet.Vlan, packet.Destination, destinationPort, packet.Source, sourcePort);
    }
}

/// <summary>An intrusive doubly linked list of sessions in order of last activity (oldest first), one per timeout class.</summary>
internal sealed class SessionList(long timeoutNanoseconds)
{
    public long TimeoutNanoseconds { get; } = timeoutNanoseconds;

    public Session? Head { get; private set; }

    private Session? tail;

    public void MoveToTail(Session session)
    {
        if (session.List == this && tail == session)
        {
            return;
        }

        session.List?.Remove(session);
        session.List = this;
        session.Previous = tail;
        session.Next = null;
        if (tail is null)
        {
            Head = session;
        }
        else
        {
            tail.Next = session;
        }

        tail = session;
    }

    public void Remove(Session session)
    {
        if (session.Previous is null)
        {
            Head = session.Next;
        }
        else
        {
            session.Previous.Next = session.Next;
        }

        if (session.Next is null)
        {
            tail = session.Previous;
        }
        else
        {
            session.Next.Previous = session.Previous;
        }

        session.Previous = null;
        session.Next = null;
        session.List = null;
    }
}
