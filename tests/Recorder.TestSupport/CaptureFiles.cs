using System.Security.Cryptography;
using Recorder.Core.Formats;

namespace Recorder.TestSupport;

/// <summary>A packet as tests compare them: link type, timestamp, lengths and bytes.</summary>
public sealed record TestPacket(int LinkType, long Nanoseconds, uint OriginalLength, byte[] Data)
{
    public bool SameAs(TestPacket other) =>
        LinkType == other.LinkType && Nanoseconds == other.Nanoseconds && OriginalLength == other.OriginalLength && Data.AsSpan().SequenceEqual(other.Data);
}

/// <summary>Writes and reads capture files in tests.</summary>
public static class CaptureFiles
{
    public static void Write(string path, IEnumerable<TestPacket> packets, CaptureFileFormat format = CaptureFileFormat.Pcap)
    {
        using var stream = File.Create(path);
        using var writer = new CaptureWriter(stream, format, "Recorder tests");
        var any = false;
        foreach (var packet in packets)
        {
            writer.Write(packet.LinkType, packet.Nanoseconds, packet.OriginalLength, packet.Data);
            any = true;
        }

        if (!any)
        {
            writer.WriteHeader(1);
        }
    }

    public static List<TestPacket> Read(string path)
    {
        using var reader = CaptureFileReader.Open(path);
        var packets = new List<TestPacket>();
        while (reader.TryRead(out var packet))
        {
            packets.Add(new TestPacket(packet.LinkType, packet.TimestampNanoseconds, packet.OriginalLength, packet.Data.ToArray()));
        }

        return packets;
    }

    /// <summary>The digest pcapdigest.py prints: SHA-256 over the SHA-256 of each (ts, caplen, origlen, linktype, data).</summary>
    public static (int Packets, string Digest) Digest(IEnumerable<TestPacket> packets)
    {
        using var outer = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var count = 0;
        Span<byte> header = stackalloc byte[20];
        foreach (var p in packets)
        {
            using var inner = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(header, p.Nanoseconds);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)p.Data.Length);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header[12..], p.OriginalLength);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)p.LinkType);
            inner.AppendData(header);
            inner.AppendData(p.Data);
            outer.AppendData(inner.GetHashAndReset());
            count++;
        }

        return (count, Convert.ToHexStringLower(outer.GetHashAndReset()));
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
