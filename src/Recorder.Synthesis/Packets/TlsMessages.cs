using System.Buffers.Binary;

namespace Recorder.Synthesis.Packets;

/// <summary>
/// TLS 1.3 handshake records as they appear in clear on the wire (RFC 8446 §4.1.2, §4.1.3):
/// a ClientHello carrying server_name (RFC 6066 §3), ALPN, supported_versions and an X25519 key
/// share, padded to its length with the padding extension (RFC 7685); a ServerHello followed by
/// ChangeCipherSpec and encrypted records; the client's Finished flight; application-data records.
/// Random fields come from the payload pool: they look like what they are, random.
/// </summary>
internal static class TlsMessages
{
    private static ReadOnlySpan<byte> CipherSuites =>
    [
        0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xC0, 0x2B, 0xC0, 0x2F, 0xC0, 0x2C, 0xC0, 0x30, 0xCC, 0xA9,
    ];

    private static ReadOnlySpan<byte> FixedExtensions =>
    [
        0x00, 0x0A, 0x00, 0x08, 0x00, 0x06, 0x00, 0x1D, 0x00, 0x17, 0x00, 0x18,             // supported_groups
        0x00, 0x0B, 0x00, 0x02, 0x01, 0x00,                                                 // ec_point_formats
        0x00, 0x10, 0x00, 0x0E, 0x00, 0x0C, 0x02, 0x68, 0x32, 0x08, 0x68, 0x74, 0x74, 0x70, 0x2F, 0x31, 0x2E, 0x31, // ALPN h2, http/1.1
        0x00, 0x0D, 0x00, 0x0A, 0x00, 0x08, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03, // signature_algorithms
        0x00, 0x2B, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03,                               // supported_versions 1.3, 1.2
    ];

    /// <summary>Writes a ClientHello record of exactly <paramref name="length"/> bytes naming <paramref name="serverName"/>.</summary>
    public static void WriteClientHello(Span<byte> destination, int length, ReadOnlySpan<byte> serverName, ReadOnlySpan<byte> random)
    {
        var p = destination[..length];
        p[0] = 0x16;
        p[1] = 0x03;
        p[2] = 0x01;
        BinaryPrimitives.WriteUInt16BigEndian(p[3..], (ushort)(length - 5));
        p[5] = 0x01;
        WriteUInt24(p[6..], length - 9);
        p[9] = 0x03;
        p[10] = 0x03;
        random[..32].CopyTo(p[11..]);
        p[43] = 32;
        random.Slice(32, 32).CopyTo(p[44..]);
        BinaryPrimitives.WriteUInt16BigEndian(p[76..], (ushort)CipherSuites.Length);
        CipherSuites.CopyTo(p[78..]);
        var at = 78 + CipherSuites.Length;
        p[at] = 1;
        p[at + 1] = 0;
        at += 2;
        var extensionsAt = at;
        at += 2;

        // server_name: list length, name type 0 (host_name), name length, name.
        BinaryPrimitives.WriteUInt16BigEndian(p[at..], 0x0000);
        BinaryPrimitives.WriteUInt16BigEndian(p[(at + 2)..], (ushort)(serverName.Length + 5));
        BinaryPrimitives.WriteUInt16BigEndian(p[(at + 4)..], (ushort)(serverName.Length + 3));
        p[at + 6] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(p[(at + 7)..], (ushort)serverName.Length);
        serverName.CopyTo(p[(at + 9)..]);
        at += 9 + serverName.Length;
        FixedExtensions.CopyTo(p[at..]);
        at += FixedExtensions.Length;

        // key_share: one X25519 share.
        ReadOnlySpan<byte> keyShareHead = [0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1D, 0x00, 0x20];
        keyShareHead.CopyTo(p[at..]);
        random.Slice(64, 32).CopyTo(p[(at + keyShareHead.Length)..]);
        at += keyShareHead.Length + 32;

        // padding (RFC 7685) fills the record to its length.
        var padding = length - at - 4;
        if (padding < 0)
        {
            throw new InvalidOperationException($"a ClientHello of {length} bytes cannot hold server name of {serverName.Length} bytes");
        }

        BinaryPrimitives.WriteUInt16BigEndian(p[at..], 0x0015);
        BinaryPrimitives.WriteUInt16BigEndian(p[(at + 2)..], (ushort)padding);
        p.Slice(at + 4, padding).Clear();
        BinaryPrimitives.WriteUInt16BigEndian(p[extensionsAt..], (ushort)(length - extensionsAt - 2));
    }

    /// <summary>ServerHello, ChangeCipherSpec, then one application-data record filling the segment.</summary>
    public static void WriteServerHello(Span<byte> destination, int length, ReadOnlySpan<byte> random, ReadOnlySpan<byte> opaque)
    {
        var p = destination[..length];
        const int helloBody = 2 + 32 + 1 + 32 + 2 + 1 + 2 + 46;
        p[0] = 0x16;
        p[1] = 0x03;
        p[2] = 0x03;
        BinaryPrimitives.WriteUInt16BigEndian(p[3..], helloBody + 4);
        p[5] = 0x02;
        WriteUInt24(p[6..], helloBody);
        p[9] = 0x03;
        p[10] = 0x03;
        random[..32].CopyTo(p[11..]);
        p[43] = 32;
        random.Slice(32, 32).CopyTo(p[44..]);
        p[76] = 0x13;
        p[77] = 0x01;
        p[78] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(p[79..], 46);
        ReadOnlySpan<byte> extensions = [0x00, 0x2B, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x24, 0x00, 0x1D, 0x00, 0x20];
        extensions.CopyTo(p[81..]);
        random.Slice(64, 32).CopyTo(p[(81 + extensions.Length)..]);
        var at = 5 + 4 + helloBody;
        ReadOnlySpan<byte> changeCipherSpec = [0x14, 0x03, 0x03, 0x00, 0x01, 0x01];
        changeCipherSpec.CopyTo(p[at..]);
        at += changeCipherSpec.Length;
        WriteRecord(p[at..], opaque);
    }

    /// <summary>The client's ChangeCipherSpec and encrypted Finished.</summary>
    public static void WriteClientFinished(Span<byte> destination, int length, ReadOnlySpan<byte> opaque)
    {
        ReadOnlySpan<byte> changeCipherSpec = [0x14, 0x03, 0x03, 0x00, 0x01, 0x01];
        changeCipherSpec.CopyTo(destination);
        WriteRecord(destination[changeCipherSpec.Length..length], opaque);
    }

    /// <summary>An application-data record (type 23) filling <paramref name="destination"/>; shorter than 5 bytes: opaque bytes only.</summary>
    public static void WriteRecord(Span<byte> destination, ReadOnlySpan<byte> opaque)
    {
        if (destination.Length < 5)
        {
            opaque[..destination.Length].CopyTo(destination);
            return;
        }

        destination[0] = 0x17;
        destination[1] = 0x03;
        destination[2] = 0x03;
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], (ushort)(destination.Length - 5));
        opaque[..(destination.Length - 5)].CopyTo(destination[5..]);
    }

    private static void WriteUInt24(Span<byte> destination, int value)
    {
        unchecked
        {
            destination[0] = (byte)(value >> 16);
            destination[1] = (byte)(value >> 8);
            destination[2] = (byte)value;
        }
    }
}
