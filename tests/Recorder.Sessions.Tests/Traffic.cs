using System.Buffers.Binary;
using Recorder.Core.Packets;
using Recorder.Sessions.Reassembly;
using Recorder.TestSupport;

namespace Recorder.Sessions.Tests;

/// <summary>Builds TCP/UDP frames with exact sequence numbers and payloads, and runs them through a builder.</summary>
internal static class Traffic
{
    public const byte Fin = 0x01, Syn = 0x02, Rst = 0x04, Psh = 0x08, Ack = 0x10;

    public static byte[] Tcp(string source, ushort sourcePort, string destination, ushort destinationPort, uint seq, uint ack, byte flags, ReadOnlySpan<byte> payload = default) =>
        Frames.TcpSegment(source, sourcePort, destination, destinationPort, seq, ack, flags, payload);

    public static byte[] Udp(string source, ushort sourcePort, string destination, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        var transport = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(transport, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(transport.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(transport.AsSpan(4), (ushort)transport.Length);
        payload.CopyTo(transport.AsSpan(8));
        return Frames.Ip(source, destination, 17, transport);
    }

    /// <summary>Inserts an 802.1Q tag with the given VLAN id into an Ethernet frame.</summary>
    public static byte[] Tagged(byte[] frame, ushort vlan)
    {
        var tagged = new byte[frame.Length + 4];
        frame.AsSpan(0, 12).CopyTo(tagged);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(12), 0x8100);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(14), vlan);
        frame.AsSpan(12).CopyTo(tagged.AsSpan(16));
        return tagged;
    }

    /// <summary>A client/server TCP conversation with the handshake done, building frames by relative offsets.</summary>
    public sealed class Conversation(string client = "10.0.0.1", ushort clientPort = 40000, string server = "10.0.0.2", ushort serverPort = 8080)
    {
        public const uint ClientIsn = 1000, ServerIsn = 5000;

        public byte[] ClientSyn() => Tcp(client, clientPort, server, serverPort, ClientIsn, 0, Syn);

        public byte[] ServerSynAck() => Tcp(server, serverPort, client, clientPort, ServerIsn, ClientIsn + 1, Syn | Ack);

        public byte[] ClientAck() => Tcp(client, clientPort, server, serverPort, ClientIsn + 1, ServerIsn + 1, Ack);

        /// <summary>Client data at stream offset <paramref name="offset"/> (0 = first byte after the SYN).</summary>
        public byte[] FromClient(uint offset, ReadOnlySpan<byte> data, byte flags = Psh | Ack) =>
            Tcp(client, clientPort, server, serverPort, ClientIsn + 1 + offset, ServerIsn + 1, flags, data);

        public byte[] FromServer(uint offset, ReadOnlySpan<byte> data, byte flags = Psh | Ack) =>
            Tcp(server, serverPort, client, clientPort, ServerIsn + 1 + offset, ClientIsn + 1, flags, data);

        public IEnumerable<byte[]> Handshake() => [ClientSyn(), ServerSynAck(), ClientAck()];
    }

    /// <summary>Runs every packet of a capture file through a builder with the default dissectors and returns the records, in emission order.</summary>
    public static List<SessionRecord> RunCapture(string path)
    {
        var records = new List<SessionRecord>();
        var builder = new SessionBuilder(new SessionOptions(), records.Add, ApplicationSignatures.DefaultStreamFactories(), ApplicationSignatures.DefaultDatagramFactories());
        using (var reader = Recorder.Core.Formats.CaptureFileReader.Open(path))
        {
            while (reader.TryRead(out var packet))
            {
                builder.Add(packet.LinkType, packet.Data, packet.TimestampNanoseconds, segment: 1, (int)packet.OriginalLength);
            }
        }

        builder.Complete();
        return records;
    }

    /// <summary>Runs frames (Ethernet) through a builder and returns the records, in emission order.</summary>
    public static List<SessionRecord> Run(IEnumerable<byte[]> frames, SessionOptions? options = null,
        IReadOnlyList<IStreamDissectorFactory>? streams = null, IReadOnlyList<IDatagramDissectorFactory>? datagrams = null, long stepNanoseconds = 1_000_000)
    {
        var records = new List<SessionRecord>();
        var builder = new SessionBuilder(options ?? new SessionOptions(), records.Add,
            streams ?? ApplicationSignatures.DefaultStreamFactories(), datagrams ?? ApplicationSignatures.DefaultDatagramFactories());
        var time = 1_700_000_000_000_000_000L;
        foreach (var frame in frames)
        {
            builder.Add(LinkTypes.Ethernet, frame, time, segment: 7);
            time += stepNanoseconds;
        }

        builder.Complete();
        return records;
    }
}

/// <summary>A stream dissector that claims every stream and records exactly what it is given.</summary>
internal sealed class RecordingFactory : IStreamDissectorFactory
{
    public List<RecordingDissector> Created { get; } = [];

    public string Application => "recorded";

    public bool Claims(bool fromClient, ReadOnlySpan<byte> firstBytes) => true;

    public IStreamDissector Create(SessionRecord session)
    {
        var dissector = new RecordingDissector();
        Created.Add(dissector);
        return dissector;
    }
}

internal sealed class RecordingDissector : IStreamDissector
{
    public List<byte> Client { get; } = [];

    public List<byte> Server { get; } = [];

    public List<(bool FromClient, long Missing)> Gaps { get; } = [];

    public int Ends { get; private set; }

    public void OnData(bool fromClient, ReadOnlySpan<byte> data, long timestampNanoseconds) =>
        (fromClient ? Client : Server).AddRange(data.ToArray());

    public void OnGap(bool fromClient, long missingBytes) => Gaps.Add((fromClient, missingBytes));

    public void OnEnd() => Ends++;
}
