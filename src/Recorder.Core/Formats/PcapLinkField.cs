namespace Recorder.Core.Formats;

/// <summary>
/// The classic pcap header's "LinkType and additional information" field (offset 20), read as the
/// pcap specification (draft-ietf-opsawg-pcap, section 4) lays it out: the link type in the low 16
/// bits, bits 16–27 reserved, bit 28 the F flag, and bits 29–31 the FCS length in 16-bit words,
/// meaningful only when F is set. Readers must ignore the reserved bits, so a writer that sets them
/// (libpcap's <c>LT_FCS_DATALINK_EXT</c> uses bit 26) does not make the file unreadable.
/// </summary>
/// <param name="LinkType">The LINKTYPE_ value (0–65535).</param>
/// <param name="FcsLength">Bytes of FCS at the end of each packet when F is set; null when the file does not say.</param>
public readonly record struct PcapLinkField(int LinkType, int? FcsLength)
{
    private const uint LinkTypeMask = 0x0000FFFF;
    private const uint FcsPresentBit = 1u << 28;
    private const int FcsWordsShift = 29;

    /// <summary>Splits the 32-bit field (already in the file's byte order) into its parts.</summary>
    public static PcapLinkField Parse(uint field)
    {
        var linkType = (int)(field & LinkTypeMask);
        int? fcsLength = (field & FcsPresentBit) != 0 ? (int)(field >> FcsWordsShift) * 2 : null;
        return new PcapLinkField(linkType, fcsLength);
    }
}
