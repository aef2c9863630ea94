using System.Text;
using Recorder.Core.Packets;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary>Ethernet frames of a test capture, one millisecond apart from <c>start</c> (Unix nanoseconds) unless skipped ahead.</summary>
internal sealed class ScriptedCapture(long start)
{
    private long _time = start;

    public List<TestPacket> Packets { get; } = [];

    public void Add(byte[] frame)
    {
        Packets.Add(new TestPacket(LinkTypes.Ethernet, _time, (uint)frame.Length, frame));
        _time += 1_000_000;
    }

    public void Skip(long nanoseconds) => _time += nanoseconds;
}

/// <summary>One TCP connection written packet by packet: handshake at creation, data in 1000-octet segments, FINs at Close.</summary>
internal sealed class ScriptedFlow
{
    private readonly ScriptedCapture _capture;
    private readonly string _client;
    private readonly ushort _clientPort;
    private readonly string _server;
    private readonly ushort _serverPort;
    private uint _clientSeq = 1000;
    private uint _serverSeq = 90_000;

    public ScriptedFlow(ScriptedCapture capture, string client, ushort clientPort, string server, ushort serverPort)
    {
        (_capture, _client, _clientPort, _server, _serverPort) = (capture, client, clientPort, server, serverPort);
        Packet(true, 0x02, []);
        _clientSeq++;
        Packet(false, 0x12, []);
        _serverSeq++;
        Packet(true, 0x10, []);
    }

    public void Send(bool fromClient, string text) => Send(fromClient, Encoding.ASCII.GetBytes(text));

    public void Send(bool fromClient, byte[] bytes) => SendInSegments(fromClient, bytes);

    /// <summary>Sends <paramref name="bytes"/> in 1000-octet segments, leaving out (as never captured) those starting in [skipFrom, skipFrom + skipLength).</summary>
    public void SendInSegments(bool fromClient, byte[] bytes, int skipFrom = -1, int skipLength = 0)
    {
        for (var i = 0; i < bytes.Length; i += 1000)
        {
            var piece = bytes.AsSpan(i, Math.Min(1000, bytes.Length - i)).ToArray();
            if (i < skipFrom || i >= skipFrom + skipLength)
            {
                Packet(fromClient, 0x18, piece);
            }

            if (fromClient)
            {
                _clientSeq += (uint)piece.Length;
            }
            else
            {
                _serverSeq += (uint)piece.Length;
            }
        }
    }

    public void Close(bool serverFirst = false)
    {
        foreach (var fromClient in serverFirst ? new[] { false, true } : [true, false])
        {
            Packet(fromClient, 0x11, []);
            if (fromClient)
            {
                _clientSeq++;
            }
            else
            {
                _serverSeq++;
            }
        }

        Packet(true, 0x10, []);
    }

    private void Packet(bool fromClient, byte flags, byte[] payload) => _capture.Add(fromClient
        ? Frames.TcpSegment(_client, _clientPort, _server, _serverPort, _clientSeq, flags == 0x02 ? 0 : _serverSeq, flags, payload)
        : Frames.TcpSegment(_server, _serverPort, _client, _clientPort, _serverSeq, _clientSeq, flags, payload));
}
