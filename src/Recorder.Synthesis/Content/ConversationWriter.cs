using System.Buffers.Binary;
using Recorder.Core.Formats;
using Recorder.Core.Packets;
using Recorder.Synthesis.Flows;
using Recorder.Synthesis.Output;
using Recorder.Synthesis.Packets;

namespace Recorder.Synthesis.Content;

/// <summary>
/// Writes Ethernet/IPv4 frames with valid IP, TCP and UDP checksums to a classic pcap, one packet every
/// 100 µs from the start: the frames of scripted conversations whose content the truth describes.
/// </summary>
internal sealed class ConversationWriter
{
    private const long PacketGap = 100_000;
    private readonly CaptureEncoder _encoder;
    private long _time;
    private ushort _ipId = 1;

    public ConversationWriter(Stream output, long startNanoseconds)
    {
        _encoder = new CaptureEncoder(output, CaptureFileFormat.Pcap, SynthesisTimestampResolution.Microseconds, [LinkTypes.Ethernet]);
        _time = startNanoseconds;
    }

    public long Packets { get; private set; }

    public long BytesWritten => _encoder.BytesWritten;

    /// <summary>Leaves a pause between conversations, so their times do not interleave.</summary>
    public void Pause(long nanoseconds) => _time += nanoseconds;

    public void Udp(uint source, ushort sourcePort, uint destination, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        var frame = _encoder.FrameSpace;
        var udp = frame[34..];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(8 + payload.Length));
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], 0);
        payload.CopyTo(udp[8..]);
        Finish(frame, Protocols.Udp, source, destination, 8 + payload.Length, checksumAt: 6);
    }

    public void Tcp(uint source, ushort sourcePort, uint destination, ushort destinationPort, uint sequence, uint acknowledgment, byte flags,
        ReadOnlySpan<byte> payload)
    {
        var frame = _encoder.FrameSpace;
        var tcp = frame[34..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], acknowledgment);
        tcp[12] = 5 << 4;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[16..], 0); // checksum and urgent pointer
        payload.CopyTo(tcp[20..]);
        Finish(frame, Protocols.Tcp, source, destination, 20 + payload.Length, checksumAt: 16);
    }

    public void Flush() => _encoder.Flush();

    private void Finish(Span<byte> frame, byte protocol, uint source, uint destination, int transportLength, int checksumAt)
    {
        ReadOnlySpan<byte> ethernet = [0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00];
        ethernet.CopyTo(frame);
        var ip = frame.Slice(14, 20);
        ip[0] = 0x45;
        ip[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + transportLength));
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], _ipId++);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000); // don't fragment
        ip[8] = 64;
        ip[9] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], source);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], destination);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip));

        // RFC 9293 §3.1 / RFC 768: the pseudo-header (addresses, protocol, length), then the segment.
        var transport = frame.Slice(34, transportLength);
        var sum = InternetChecksum.Add(0, source);
        sum = InternetChecksum.Add(sum, destination);
        sum = InternetChecksum.Add(sum, (ushort)protocol);
        sum = InternetChecksum.Add(sum, (ushort)transportLength);
        var checksum = InternetChecksum.Finish(InternetChecksum.Add(sum, transport));
        BinaryPrimitives.WriteUInt16BigEndian(transport[checksumAt..], protocol == Protocols.Udp && checksum == 0 ? (ushort)0xFFFF : checksum);
        _encoder.Commit(0, _time, 34 + transportLength);
        _time += PacketGap;
        Packets++;
    }
}

/// <summary>One TCP connection of a script: handshake, data in segments of at most 1460 bytes each acknowledged, FIN close.</summary>
internal sealed class TcpScript
{
    private const int Mss = 1460;
    private readonly ConversationWriter _writer;
    private readonly uint _client;
    private readonly ushort _clientPort;
    private readonly uint _server;
    private readonly ushort _serverPort;
    private uint _clientSeq;
    private uint _serverSeq;

    public TcpScript(ConversationWriter writer, uint client, ushort clientPort, uint server, ushort serverPort, uint clientIsn, uint serverIsn)
    {
        _writer = writer;
        _client = client;
        _clientPort = clientPort;
        _server = server;
        _serverPort = serverPort;
        _clientSeq = clientIsn;
        _serverSeq = serverIsn;
        writer.Tcp(client, clientPort, server, serverPort, _clientSeq++, 0, TcpFlags.Syn, []);
        writer.Tcp(server, serverPort, client, clientPort, _serverSeq++, _clientSeq, TcpFlags.Syn | TcpFlags.Ack, []);
        writer.Tcp(client, clientPort, server, serverPort, _clientSeq, _serverSeq, TcpFlags.Ack, []);
    }

    public void Send(bool fromClient, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var segment = data[..Math.Min(Mss, data.Length)];
            data = data[segment.Length..];
            if (fromClient)
            {
                _writer.Tcp(_client, _clientPort, _server, _serverPort, _clientSeq, _serverSeq, TcpFlags.Psh | TcpFlags.Ack, segment);
                _clientSeq += (uint)segment.Length;
                _writer.Tcp(_server, _serverPort, _client, _clientPort, _serverSeq, _clientSeq, TcpFlags.Ack, []);
            }
            else
            {
                _writer.Tcp(_server, _serverPort, _client, _clientPort, _serverSeq, _clientSeq, TcpFlags.Psh | TcpFlags.Ack, segment);
                _serverSeq += (uint)segment.Length;
                _writer.Tcp(_client, _clientPort, _server, _serverPort, _clientSeq, _serverSeq, TcpFlags.Ack, []);
            }
        }
    }

    /// <summary>FIN from each side and the last ACK; the client closes first unless <paramref name="clientFirst"/> is false.</summary>
    public void Close(bool clientFirst = true)
    {
        if (clientFirst)
        {
            _writer.Tcp(_client, _clientPort, _server, _serverPort, _clientSeq++, _serverSeq, TcpFlags.Fin | TcpFlags.Ack, []);
            _writer.Tcp(_server, _serverPort, _client, _clientPort, _serverSeq++, _clientSeq, TcpFlags.Fin | TcpFlags.Ack, []);
            _writer.Tcp(_client, _clientPort, _server, _serverPort, _clientSeq, _serverSeq, TcpFlags.Ack, []);
        }
        else
        {
            _writer.Tcp(_server, _serverPort, _client, _clientPort, _serverSeq++, _clientSeq, TcpFlags.Fin | TcpFlags.Ack, []);
            _writer.Tcp(_client, _clientPort, _server, _serverPort, _clientSeq++, _serverSeq, TcpFlags.Fin | TcpFlags.Ack, []);
            _writer.Tcp(_server, _serverPort, _client, _clientPort, _serverSeq, _clientSeq, TcpFlags.Ack, []);
        }
    }
}
