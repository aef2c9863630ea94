using System.Buffers.Binary;
using Recorder.Core.Indexing;
using Recorder.Core.Packets;

namespace Recorder.Storage.Recording;

/// <summary>
/// Keeps the index data of staged (not yet sealed) segments on disk instead of in memory during a
/// long import, so memory stays bounded whatever the input size. A private, transient encoding:
/// the file lives only inside an open session directory and is never evidence.
/// </summary>
internal static class IndexDataSpill
{
    public static void Write(string path, SegmentIndexData data)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new BinaryWriter(stream);
        writer.Write(data.Flows.Count);
        Span<byte> address = stackalloc byte[16];
        foreach (var flow in data.Flows)
        {
            var key = flow.Key;
            writer.Write((byte)key.Kind);
            writer.Write(key.Protocol);
            writer.Write(key.HasPorts);
            BinaryPrimitives.WriteUInt128BigEndian(address, key.AddressA);
            writer.Write(address);
            writer.Write(key.PortA);
            BinaryPrimitives.WriteUInt128BigEndian(address, key.AddressB);
            writer.Write(address);
            writer.Write(key.PortB);
            writer.Write(flow.FirstNanoseconds);
            writer.Write(flow.LastNanoseconds);
            writer.Write(flow.Packets);
            writer.Write(flow.Bytes);
            writer.Write(flow.Positions.Length);
            writer.Write(flow.Positions);
        }

        writer.Write(data.Chunks.Count);
        foreach (var chunk in data.Chunks)
        {
            writer.Write(chunk.Offset);
            writer.Write(chunk.EndOffset);
            writer.Write(chunk.MinNanoseconds);
            writer.Write(chunk.MaxNanoseconds);
            writer.Write(chunk.Packets);
        }
    }

    public static SegmentIndexData Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var reader = new BinaryReader(stream);
        var flows = new List<FlowEntry>(reader.ReadInt32());
        for (var i = flows.Capacity; i > 0; i--)
        {
            var kind = (NetworkKind)reader.ReadByte();
            var protocol = reader.ReadByte();
            var hasPorts = reader.ReadBoolean();
            var addressA = BinaryPrimitives.ReadUInt128BigEndian(reader.ReadBytes(16));
            var portA = reader.ReadUInt16();
            var addressB = BinaryPrimitives.ReadUInt128BigEndian(reader.ReadBytes(16));
            var portB = reader.ReadUInt16();
            var key = new FlowKey(kind, protocol, hasPorts, addressA, portA, addressB, portB);
            var first = reader.ReadInt64();
            var last = reader.ReadInt64();
            var packets = reader.ReadInt64();
            var bytes = reader.ReadInt64();
            var positions = reader.ReadBytes(reader.ReadInt32());
            flows.Add(new FlowEntry(key, first, last, packets, bytes, positions));
        }

        var chunks = new List<TimeChunk>(reader.ReadInt32());
        for (var i = chunks.Capacity; i > 0; i--)
        {
            chunks.Add(new TimeChunk(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32()));
        }

        return new SegmentIndexData(flows, chunks);
    }
}
