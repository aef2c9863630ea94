using Recorder.Core.Indexing;
using Recorder.Index.Format;

namespace Recorder.Index.Tests.Format;

/// <summary>
/// Pins the version-1 layout of docs/index-format.md byte for byte. The expected bytes were worked
/// out from the document, not from the code; a change here is a format change and needs a new version.
/// </summary>
public sealed class IndexFormatTests
{
    private const long T = 1_700_000_000_000_000_000;

    [Fact]
    public void FlowRecord_OfAnIPv4TcpFlowWithInlineQuarteredPositions_IsPinned()
    {
        var key = Net.Tcp4("10.0.0.1", 40000, "192.0.2.1", 443);
        var flow = new FlowEntry(key, T + 1000, T + 1005, 2, 120, Varint.WriteDeltas([48, 148]));

        var value = FlowRecord.Encode(flow, T, PositionList.Quarter(flow.Positions), FlowRecord.FlagPositionsQuartered);

        Assert.Equal("040506" + "0a000001" + "c0000201" + "9c40" + "01bb" + "d00f" + "05" + "02" + "78" + "0c19", Convert.ToHexStringLower(value));
        var header = FlowRecord.Decode(value, T);
        Assert.Equal(key, header.Key);
        Assert.Equal((T + 1000, T + 1005, 2L, 120L), (header.FirstNanoseconds, header.LastNanoseconds, header.Packets, header.Bytes));
        Assert.Equal([48L, 148L], PositionList.Decode(value.AsSpan(header.InlinePositionsOffset), header.PositionsQuartered, 2));
    }

    [Fact]
    public void FlowRecord_OfAnIPv6FlowWithExternalPositions_IsPinned()
    {
        var key = Net.Icmp6("2001:db8::1", "2001:db8::2");
        var flow = new FlowEntry(key, T - 3, T - 3, 1, 64, Varint.WriteDeltas([1]));

        var value = FlowRecord.Encode(flow, T, [], FlowRecord.FlagPositionsExternal);

        Assert.Equal("06023a" + "20010db8000000000000000000000001" + "20010db8000000000000000000000002" + "05" + "00" + "01" + "40",
            Convert.ToHexStringLower(value));
        Assert.True(FlowRecord.Decode(value, T).PositionsExternal);
    }

    [Fact]
    public void FlowRecord_OfUndecodedPackets_HoldsNoAddresses()
    {
        var flow = new FlowEntry(Recorder.Core.Packets.FlowKey.Other, T, T, 1, 10, Varint.WriteDeltas([48]));

        var value = FlowRecord.Encode(flow, T, flow.Positions, 0);

        // Offset and duration 0 are multiples of 1000: flagged as microseconds (0x08).
        Assert.Equal("000800" + "00" + "00" + "01" + "0a" + "30", Convert.ToHexStringLower(value));
    }

    [Fact]
    public void FlowRecord_WithMicrosecondTimes_StoresThemInMicroseconds()
    {
        var key = Net.Udp4("10.0.0.1", 53, "10.0.0.2", 5353);
        var flow = new FlowEntry(key, T + 2_000_000, T + 2_005_000, 1, 80, Varint.WriteDeltas([48]));

        var value = FlowRecord.Encode(flow, T, flow.Positions, 0);

        Assert.Equal("040911" + "0a000001" + "0a000002" + "0035" + "14e9" + "a01f" + "05" + "01" + "50" + "30", Convert.ToHexStringLower(value));
        var header = FlowRecord.Decode(value, T);
        Assert.Equal((T + 2_000_000, T + 2_005_000), (header.FirstNanoseconds, header.LastNanoseconds));
    }

    [Fact]
    public void Keys_AreBigEndian_ValueBeforeSegment()
    {
        Assert.Equal("0000000000000007", Convert.ToHexStringLower(IndexLayout.SegmentKey(7)));
        Assert.Equal("000000000000000700000003", Convert.ToHexStringLower(IndexLayout.FlowKey(7, 3)));
        Assert.Equal("00000000000000000000ffff0a000001" + "0000000000000007",
            Convert.ToHexStringLower(IndexLayout.PostingKey(IndexLayout.AddressValue(Net.V4("10.0.0.1")), 7)));
        Assert.Equal("01bb" + "0000000000000007", Convert.ToHexStringLower(IndexLayout.PostingKey(IndexLayout.PortValue(443), 7)));
        Assert.Equal("06" + "0000000000000007", Convert.ToHexStringLower(IndexLayout.PostingKey([6], 7)));
        Assert.Equal("00000001", Convert.ToHexStringLower(IndexLayout.FormatVersionValue(IndexLayout.FormatVersion)));
    }

    [Fact]
    public void SegmentRecord_IsPinned()
    {
        var segment = new IndexedSegment(7, T, T + 1, 3, 300, "ab");

        var value = SegmentRecord.Encode(segment, flowCount: 2, generation: 5);

        Assert.Equal("17979cfe362a0000" + "17979cfe362a0001" + "03" + "ac02" + "02" + "05" + "02" + "6162", Convert.ToHexStringLower(value));
        Assert.Equal(new SegmentEntry(segment, 2, 5), SegmentRecord.Decode(7, value));
    }

    [Fact]
    public void CatalogState_IsPinned_AndItsDigestIsTheXorOfEntryHashes()
    {
        var state = CatalogState.Empty.WithEntry(7, null).WithEntry(9, null).WithEntry(7, replacedGeneration: 1);

        Assert.Equal(new CatalogState(3, 2, CatalogState.EntryHash(9, 2) ^ CatalogState.EntryHash(7, 3)), state);
        // SHA-256(00000000000000070000000000000003), first 8 bytes: worked out with sha256sum.
        Assert.Equal(0x4258d21fa8b08977UL, CatalogState.EntryHash(7, 3));
        Assert.Equal("03" + "02" + state.Digest.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), Convert.ToHexStringLower(state.Encode()));
        Assert.Equal(state, CatalogState.Decode(state.Encode()));
        Assert.Equal(new CatalogState(4, 1, CatalogState.EntryHash(7, 3)), state.WithoutEntry(9, 2));
    }

    [Fact]
    public void ChunkList_IsPinned()
    {
        TimeChunk[] chunks = [new(48, 1_048_624, T, T + 10, 100), new(1_048_624, 2_000_000, T + 5, T + 20, 50)];

        var value = ChunkList.Encode(chunks);

        Assert.Equal("02" + "60" + "80808001" + "8080d0e2c6bfce972f" + "14" + "64" + "00" + "a09174" + "0a" + "1e" + "32", Convert.ToHexStringLower(value));
        Assert.Equal(chunks, ChunkList.Decode(value));
    }

    [Fact]
    public void OrdinalList_IsPinned()
    {
        var value = OrdinalList.Encode([0, 1, 5, 300]);

        Assert.Equal("000104a702", Convert.ToHexStringLower(value));
        var decoded = new List<int>();
        OrdinalList.Decode(value, decoded);
        Assert.Equal([0, 1, 5, 300], decoded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("04")]
    [InlineData("040506")]
    [InlineData("09000000")]
    [InlineData("04f006")]
    public void FlowRecord_Malformed_FailsToDecode(string hex)
    {
        Assert.Throws<FormatException>(() => FlowRecord.Decode(Convert.FromHexString(hex), T));
    }

    [Fact]
    public void OrdinalList_NotStrictlyAscending_FailsToDecode()
    {
        Assert.Throws<FormatException>(() => OrdinalList.Decode([5, 0], []));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void ZigZag_RoundTrips(long value)
    {
        Assert.Equal(value, ZigZag.Decode(ZigZag.Encode(value)));
    }
}
