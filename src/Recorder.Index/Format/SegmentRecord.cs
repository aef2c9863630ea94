using System.Text;
using Recorder.Core.Indexing;

namespace Recorder.Index.Format;

/// <summary>A decoded <c>catalog</c> value.</summary>
internal readonly record struct SegmentEntry(IndexedSegment Segment, int FlowCount, long Generation);

/// <summary>
/// The <c>catalog</c> value: the <see cref="IndexedSegment"/> fields, the number of flows the
/// segment has in <c>flows</c>, and the catalog generation that wrote it (docs/index-format.md, "catalog").
/// </summary>
internal static class SegmentRecord
{
    public static byte[] Encode(IndexedSegment segment, int flowCount, long generation)
    {
        var manifest = Encoding.UTF8.GetBytes(segment.ManifestSha256);
        var writer = new ByteWriter(48 + manifest.Length);
        writer.WriteInt64BigEndian(segment.FirstNanoseconds);
        writer.WriteInt64BigEndian(segment.LastNanoseconds);
        writer.WriteCount(segment.Packets);
        writer.WriteCount(segment.FileBytes);
        writer.WriteCount(flowCount);
        writer.WriteCount(generation);
        writer.WriteCount(manifest.Length);
        writer.WriteBytes(manifest);
        return writer.ToArray();
    }

    /// <exception cref="FormatException">The value is not a version-1 catalog record.</exception>
    public static SegmentEntry Decode(long segmentId, ReadOnlySpan<byte> value)
    {
        var reader = new ByteReader(value);
        var first = reader.ReadInt64BigEndian();
        var last = reader.ReadInt64BigEndian();
        var packets = reader.ReadCount();
        var fileBytes = reader.ReadCount();
        var flowCount = reader.ReadCount();
        if (flowCount > int.MaxValue)
        {
            throw new FormatException($"flow count {flowCount} out of range");
        }

        var generation = reader.ReadCount();
        var manifestLength = reader.ReadCount();
        if (manifestLength > reader.Remaining)
        {
            throw new FormatException($"manifest hash of {manifestLength} bytes runs past the record");
        }

        var manifest = Encoding.UTF8.GetString(reader.ReadBytes((int)manifestLength));
        reader.ExpectEnd("catalog record");
        return new SegmentEntry(new IndexedSegment(segmentId, first, last, packets, fileBytes, manifest), (int)flowCount, generation);
    }
}

/// <summary>The <c>chunks</c> value: a segment's time chunks, each relative to the one before.</summary>
internal static class ChunkList
{
    public static byte[] Encode(IReadOnlyList<TimeChunk> chunks)
    {
        var writer = new ByteWriter(8 + (chunks.Count * 12));
        writer.WriteCount(chunks.Count);
        long previousEnd = 0;
        long previousMin = 0;
        foreach (var chunk in chunks)
        {
            // Differences wrap around: exactly invertible whatever the values.
            writer.WriteSigned(unchecked(chunk.Offset - previousEnd));
            writer.WriteSigned(unchecked(chunk.EndOffset - chunk.Offset));
            writer.WriteSigned(unchecked(chunk.MinNanoseconds - previousMin));
            writer.WriteSigned(unchecked(chunk.MaxNanoseconds - chunk.MinNanoseconds));
            writer.WriteCount(chunk.Packets);
            previousEnd = chunk.EndOffset;
            previousMin = chunk.MinNanoseconds;
        }

        return writer.ToArray();
    }

    /// <exception cref="FormatException">The value is not a version-1 chunk list.</exception>
    public static TimeChunk[] Decode(ReadOnlySpan<byte> value)
    {
        var reader = new ByteReader(value);
        var count = reader.ReadCount();
        if (count > reader.Remaining)
        {
            throw new FormatException($"{count} chunks cannot fit in {reader.Remaining} bytes");
        }

        var chunks = new TimeChunk[count];
        long previousEnd = 0;
        long previousMin = 0;
        for (var i = 0; i < chunks.Length; i++)
        {
            var offset = unchecked(previousEnd + reader.ReadSigned());
            var end = unchecked(offset + reader.ReadSigned());
            var min = unchecked(previousMin + reader.ReadSigned());
            var max = unchecked(min + reader.ReadSigned());
            var packets = reader.ReadCount();
            if (packets > int.MaxValue)
            {
                throw new FormatException($"chunk {i} counts {packets} packets");
            }

            chunks[i] = new TimeChunk(offset, end, min, max, (int)packets);
            previousEnd = end;
            previousMin = min;
        }

        reader.ExpectEnd("chunk list");
        return chunks;
    }
}

/// <summary>A posting value: ascending flow ordinals, the first absolute and each next as the difference.</summary>
internal static class OrdinalList
{
    public static byte[] Encode(List<int> ascending)
    {
        var writer = new ByteWriter(ascending.Count + 4);
        var previous = 0;
        foreach (var ordinal in ascending)
        {
            writer.WriteVarint(checked((ulong)(ordinal - previous)));
            previous = ordinal;
        }

        return writer.ToArray();
    }

    /// <summary>Appends the ordinals to <paramref name="into"/>.</summary>
    /// <exception cref="FormatException">The value is not a well-formed ordinal list.</exception>
    public static void Decode(ReadOnlySpan<byte> value, List<int> into)
    {
        var offset = 0;
        long current = 0;
        var first = true;
        while (offset < value.Length)
        {
            var delta = Varint.Read(value, ref offset);
            if (!first && delta == 0)
            {
                throw new FormatException("ordinal list is not strictly ascending");
            }

            current = checked(current + checked((long)delta));
            if (current > int.MaxValue)
            {
                throw new FormatException($"flow ordinal {current} out of range");
            }

            into.Add((int)current);
            first = false;
        }
    }
}
