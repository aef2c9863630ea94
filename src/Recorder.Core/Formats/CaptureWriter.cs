using System.Buffers.Binary;

namespace Recorder.Core.Formats;

/// <summary>
/// Writes packets to a stream as classic nanosecond pcap (one link type) or pcapng (any number of
/// link types, one interface per link type, nanosecond resolution). Output is what tcpdump, tshark
/// and capinfos read as is.
/// </summary>
public sealed class CaptureWriter : IDisposable
{
    /// <summary>The snapshot length written into headers: the largest record Recorder accepts.</summary>
    public const uint SnapLength = CaptureFileReader.MaxRecordLength;

    private readonly Stream _output;
    private readonly bool _ownsOutput;
    private readonly Dictionary<int, uint> _interfaces = [];
    private readonly byte[] _scratch = new byte[PcapngBlocks.EnhancedPacketSize(CaptureFileReader.MaxRecordLength)];
    private readonly string _application;
    private readonly string? _comment;
    private int _pcapLinkType = -1;

    /// <summary>Creates a writer; the header is written with the first packet (or on <see cref="WriteHeader"/>).</summary>
    public CaptureWriter(Stream output, CaptureFileFormat format, string application, bool ownsOutput = false, string? comment = null)
    {
        _comment = comment;
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        Format = format;
        _application = application;
        _ownsOutput = ownsOutput;
    }

    /// <summary>The format being written.</summary>
    public CaptureFileFormat Format { get; }

    /// <summary>Packets written.</summary>
    public long Packets { get; private set; }

    /// <summary>Bytes written, headers included.</summary>
    public long Bytes { get; private set; }

    /// <summary>Whether the file header has been written.</summary>
    public bool HeaderWritten { get; private set; }

    /// <summary>
    /// Writes the file header now. For pcap, <paramref name="linkType"/> is the file's link type; for
    /// pcapng it may be -1 (interfaces are then added as packets need them).
    /// </summary>
    public void WriteHeader(int linkType)
    {
        if (HeaderWritten)
        {
            return;
        }

        HeaderWritten = true;
        if (Format == CaptureFileFormat.Pcap)
        {
            Span<byte> header = stackalloc byte[24];
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0xA1B23C4D);
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
            BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], SnapLength);
            BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)Math.Max(0, linkType));
            _pcapLinkType = linkType;
            Emit(header);
        }
        else
        {
            Emit(PcapngBlocks.SectionHeader(_application, _comment));
            if (linkType >= 0)
            {
                InterfaceFor(linkType);
            }
        }
    }

    /// <summary>Writes one packet.</summary>
    public void Write(int linkType, long timestampNanoseconds, uint originalLength, ReadOnlySpan<byte> data)
    {
        if (!HeaderWritten)
        {
            WriteHeader(linkType);
        }

        if (Format == CaptureFileFormat.Pcap)
        {
            if (linkType != _pcapLinkType)
            {
                throw new InvalidOperationException(
                    $"classic pcap holds one link type ({_pcapLinkType}); packet has {linkType}: write pcapng");
            }

            if (timestampNanoseconds < 0)
            {
                throw new InvalidOperationException("classic pcap cannot hold a timestamp before 1970");
            }

            var seconds = timestampNanoseconds / 1_000_000_000L;
            var nanos = timestampNanoseconds % 1_000_000_000L;
            var span = _scratch.AsSpan();
            BinaryPrimitives.WriteUInt32LittleEndian(span, checked((uint)seconds));
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)nanos);
            BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(span[12..], originalLength);
            data.CopyTo(span[16..]);
            Emit(span[..(16 + data.Length)]);
        }
        else
        {
            var interfaceId = InterfaceFor(linkType);
            var size = PcapngBlocks.WriteEnhancedPacket(_scratch, interfaceId, (ulong)timestampNanoseconds, originalLength, data);
            Emit(_scratch.AsSpan(0, size));
        }

        Packets++;
    }

    /// <summary>
    /// Writes a Decryption Secrets Block (pcapng only; see <see cref="PcapngBlocks.DecryptionSecrets"/>).
    /// Readers apply it to the packets after it: write it before them.
    /// </summary>
    /// <exception cref="InvalidOperationException">The format is classic pcap, which has no place for secrets.</exception>
    public void WriteDecryptionSecrets(uint secretsType, ReadOnlySpan<byte> secrets)
    {
        if (Format != CaptureFileFormat.Pcapng)
        {
            throw new InvalidOperationException("decryption secrets need pcapng: classic pcap has no block for them");
        }

        if (!HeaderWritten)
        {
            WriteHeader(-1);
        }

        Emit(PcapngBlocks.DecryptionSecrets(secretsType, secrets));
    }

    /// <summary>Flushes the underlying stream.</summary>
    public void Flush() => _output.Flush();

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsOutput)
        {
            _output.Dispose();
        }
    }

    private uint InterfaceFor(int linkType)
    {
        if (_interfaces.TryGetValue(linkType, out var id))
        {
            return id;
        }

        id = (uint)_interfaces.Count;
        _interfaces[linkType] = id;
        Emit(PcapngBlocks.InterfaceDescription(
            new CaptureInterface(linkType, SnapLength, TimestampResolution.Nanoseconds, 0), SnapLength));
        return id;
    }

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        Bytes += bytes.Length;
    }
}
