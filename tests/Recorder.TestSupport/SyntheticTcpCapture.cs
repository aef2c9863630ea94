using System.Buffers.Binary;
using System.Net;
using Recorder.Core.Formats;

namespace Recorder.TestSupport;

/// <summary>
/// Writes the bytes both sides of a connection wrote, in the order they wrote them, as a pcap of
/// Ethernet/IPv4/TCP frames with a three-way handshake and correct sequence and acknowledgement
/// numbers and checksums, so tshark reassembles it as it would a real capture.
/// </summary>
public static class SyntheticTcpCapture
{
    public const string ClientAddress = "10.12.0.1";
    public const string ServerAddress = "10.12.0.2";
    public const ushort ClientPort = 50123;
    public const ushort ServerPort = 443;

    /// <summary>Writes the connection as classic pcap.</summary>
    public static void Write(string path, IReadOnlyList<(bool FromClient, byte[] Bytes)> writes) => Write(path, writes, CaptureFileFormat.Pcap, null);

    /// <summary>As <see cref="Write(string, IReadOnlyList{ValueTuple{bool, byte[]}})"/>, in <paramref name="format"/>, with a TLS key log Decryption Secrets Block first (pcapng) when <paramref name="keyLog"/> is given.</summary>
    public static void Write(string path, IReadOnlyList<(bool FromClient, byte[] Bytes)> writes, CaptureFileFormat format, string? keyLog)
    {
        using var stream = File.Create(path);
        using var writer = new CaptureWriter(stream, format, "Recorder tests");
        if (keyLog is not null)
        {
            writer.WriteDecryptionSecrets(PcapngBlocks.TlsKeyLogSecrets, System.Text.Encoding.ASCII.GetBytes(keyLog));
        }

        uint clientSeq = 1000;
        uint serverSeq = 5000;
        long time = 1_700_000_000_000_000_000;
        void Emit(bool fromClient, byte flags, ReadOnlySpan<byte> payload)
        {
            var frame = Frame(fromClient, fromClient ? clientSeq : serverSeq, fromClient ? serverSeq : clientSeq, flags, payload);
            writer.Write(1, time, (uint)frame.Length, frame);
            time += 1_000_000;
        }

        Emit(true, 0x02, []);
        clientSeq++;
        Emit(false, 0x12, []);
        serverSeq++;
        Emit(true, 0x10, []);
        foreach (var (fromClient, bytes) in writes)
        {
            for (var offset = 0; offset < bytes.Length; offset += 1400)
            {
                var chunk = bytes.AsSpan(offset, Math.Min(1400, bytes.Length - offset));
                Emit(fromClient, 0x18, chunk);
                if (fromClient)
                {
                    clientSeq += (uint)chunk.Length;
                }
                else
                {
                    serverSeq += (uint)chunk.Length;
                }
            }
        }

        // The connection closes (FIN from each side, then the last ACK): a reader then knows an
        // HTTP/1.0 body that runs to the close is whole.
        Emit(false, 0x11, []);
        serverSeq++;
        Emit(true, 0x11, []);
        clientSeq++;
        Emit(false, 0x10, []);
    }

    private static byte[] Frame(bool fromClient, uint seq, uint ack, byte flags, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[14 + 20 + 20 + payload.Length];
        frame[5] = fromClient ? (byte)1 : (byte)2;
        frame[11] = fromClient ? (byte)2 : (byte)1;
        frame[0] = 0x02;
        frame[6] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        var ip = frame.AsSpan(14, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(40 + payload.Length));
        ip[8] = 64;
        ip[9] = 6;
        var source = IPAddress.Parse(fromClient ? ClientAddress : ServerAddress).GetAddressBytes();
        var destination = IPAddress.Parse(fromClient ? ServerAddress : ClientAddress).GetAddressBytes();
        source.CopyTo(ip[12..]);
        destination.CopyTo(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip, 0));
        var tcp = frame.AsSpan(34);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, fromClient ? ClientPort : ServerPort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], fromClient ? ServerPort : ClientPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], seq);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], flags == 0x02 ? 0 : ack);
        tcp[12] = 0x50;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535);
        payload.CopyTo(tcp[20..]);
        uint pseudo = 0;
        for (var i = 0; i < 4; i += 2)
        {
            pseudo += (uint)((source[i] << 8) | source[i + 1]) + (uint)((destination[i] << 8) | destination[i + 1]);
        }

        pseudo += 6 + (uint)tcp.Length;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], Checksum(tcp, pseudo));
        return frame;
    }

    private static ushort Checksum(ReadOnlySpan<byte> data, uint sum)
    {
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            sum += (uint)((data[i] << 8) | data[i + 1]);
        }

        if ((data.Length & 1) == 1)
        {
            sum += (uint)(data[^1] << 8);
        }

        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return unchecked((ushort)~sum);
    }
}
