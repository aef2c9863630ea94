using System.Buffers.Binary;

namespace Recorder.Index.Format;

/// <summary>
/// Names, keys and constants of the on-disk layout, written down in docs/index-format.md. Every key
/// is big-endian so that RocksDB's bytewise order is numeric order: a segment's flows are one
/// contiguous range, and so is a CIDR block in <c>hosts</c>.
/// </summary>
internal static class IndexLayout
{
    /// <summary>The only format version this build reads and writes.</summary>
    public const int FormatVersion = 1;

    public const string Default = "default";
    public const string Catalog = "catalog";
    public const string Chunks = "chunks";
    public const string Flows = "flows";
    public const string Positions = "positions";
    public const string Hosts = "hosts";
    public const string Ports = "ports";
    public const string Protocols = "protocols";

    /// <summary>Every column family of version 1, default first.</summary>
    public static readonly string[] ColumnFamilies = [Default, Catalog, Chunks, Flows, Positions, Hosts, Ports, Protocols];

    /// <summary>Key in <c>default</c> naming what the database is.</summary>
    public static readonly byte[] FormatNameKey = "format"u8.ToArray();

    /// <summary>Value of <see cref="FormatNameKey"/>.</summary>
    public static readonly byte[] FormatName = "recorder-packet-index"u8.ToArray();

    /// <summary>Key in <c>default</c> holding the format version as a 4-byte big-endian integer.</summary>
    public static readonly byte[] FormatVersionKey = "format-version"u8.ToArray();

    /// <summary>Key in <c>default</c> holding the <see cref="CatalogState"/>.</summary>
    public static readonly byte[] CatalogStateKey = "catalog-state"u8.ToArray();

    public const int SegmentKeyLength = 8;
    public const int FlowKeyLength = 12;
    public const int AddressLength = 16;
    public const int PortLength = 2;
    public const int ProtocolLength = 1;

    public static byte[] SegmentKey(long segmentId)
    {
        var key = new byte[SegmentKeyLength];
        BinaryPrimitives.WriteInt64BigEndian(key, segmentId);
        return key;
    }

    public static byte[] FlowKey(long segmentId, int ordinal)
    {
        var key = new byte[FlowKeyLength];
        BinaryPrimitives.WriteInt64BigEndian(key, segmentId);
        BinaryPrimitives.WriteInt32BigEndian(key.AsSpan(8), ordinal);
        return key;
    }

    public static long ReadSegmentId(ReadOnlySpan<byte> key) => BinaryPrimitives.ReadInt64BigEndian(key);

    public static int ReadOrdinal(ReadOnlySpan<byte> flowKey) => BinaryPrimitives.ReadInt32BigEndian(flowKey[8..]);

    /// <summary>A posting key: the value (address, port or protocol) followed by the segment id.</summary>
    public static byte[] PostingKey(ReadOnlySpan<byte> value, long segmentId)
    {
        var key = new byte[value.Length + SegmentKeyLength];
        value.CopyTo(key);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(value.Length), segmentId);
        return key;
    }

    public static byte[] AddressValue(UInt128 address)
    {
        var value = new byte[AddressLength];
        BinaryPrimitives.WriteUInt128BigEndian(value, address);
        return value;
    }

    public static byte[] PortValue(ushort port)
    {
        var value = new byte[PortLength];
        BinaryPrimitives.WriteUInt16BigEndian(value, port);
        return value;
    }

    public static byte[] FormatVersionValue(int version)
    {
        var value = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(value, version);
        return value;
    }
}
