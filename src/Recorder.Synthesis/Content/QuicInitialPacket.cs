using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Recorder.Synthesis.Content;

/// <summary>
/// Builds protected QUIC version 1 Initial packets (RFC 9000 §17.2.2) as RFC 9001 §5 says: keys from
/// the client's original destination connection ID (§5.2: HKDF-Extract with the version 1 salt, then
/// HKDF-Expand-Label "client in"/"server in", "quic key"/"quic iv"/"quic hp"), AES-128-GCM payload
/// protection with the packet number XORed into the IV and the header as associated data (§5.3), and
/// AES-ECB header protection over a 16-byte sample taken 4 bytes after the packet number's start
/// (§5.4). Written from the RFC with the BCL's primitives alone, so it shares no code with the
/// dissector that decrypts these packets; checked against RFC 9001 Appendix A.
/// </summary>
internal static class QuicInitialPacket
{
    /// <summary>RFC 9001 §5.2: initial_salt of QUIC version 1.</summary>
    private static readonly byte[] InitialSalt = Convert.FromHexString("38762cf7f55934b34d179ae6a4c80cadccbb7f0a");

    private const int TagLength = 16;

    /// <summary>The AEAD key, IV and header protection key of one side's Initial packets.</summary>
    public sealed record Keys(byte[] Key, byte[] Iv, byte[] HeaderProtection);

    /// <summary>RFC 9001 §5.2: the Initial keys of the client (<paramref name="client"/>) or the server.</summary>
    public static Keys Derive(ReadOnlySpan<byte> originalDestinationConnectionId, bool client)
    {
        var initialSecret = HKDF.Extract(HashAlgorithmName.SHA256, originalDestinationConnectionId.ToArray(), InitialSalt);
        var secret = ExpandLabel(initialSecret, client ? "client in" : "server in", 32);
        return new Keys(ExpandLabel(secret, "quic key", 16), ExpandLabel(secret, "quic iv", 12), ExpandLabel(secret, "quic hp", 16));
    }

    /// <summary>
    /// A protected Initial packet: version 1, the connection IDs, no token, a two-byte Length and a
    /// packet number of <paramref name="packetNumberLength"/> bytes, carrying <paramref name="payload"/>
    /// (frames, padding included) sealed with <paramref name="keys"/>.
    /// </summary>
    public static byte[] Protect(Keys keys, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> source, uint packetNumber, int packetNumberLength,
        ReadOnlySpan<byte> payload)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(packetNumberLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(packetNumberLength, 4);
        var length = packetNumberLength + payload.Length + TagLength;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 0x3FFF); // the Length field is written as a two-byte variable-length integer

        // RFC 9000 §17.2.2: 1 1 (long header, fixed bit), type 00 (Initial), reserved 00, packet number length - 1.
        var header = new List<byte> { (byte)(0xC0 | (packetNumberLength - 1)), 0, 0, 0, 1, (byte)destination.Length };
        header.AddRange(destination.ToArray());
        header.Add((byte)source.Length);
        header.AddRange(source.ToArray());
        header.Add(0); // token length
        header.Add((byte)(0x40 | (length >> 8)));
        header.Add((byte)(length & 0xFF));
        var packetNumberOffset = header.Count;
        for (var i = packetNumberLength - 1; i >= 0; i--)
        {
            header.Add((byte)((packetNumber >> (8 * i)) & 0xFF));
        }

        var packet = new byte[header.Count + payload.Length + TagLength];
        header.CopyTo(packet);

        // §5.3: the nonce is the IV XOR the packet number (left-padded to the IV's length); the AAD is the header.
        var nonce = (byte[])keys.Iv.Clone();
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(number, packetNumber);
        for (var i = 0; i < 8; i++)
        {
            nonce[nonce.Length - 8 + i] ^= number[i];
        }

        using (var aead = new AesGcm(keys.Key, TagLength))
        {
            aead.Encrypt(nonce, payload, packet.AsSpan(header.Count, payload.Length), packet.AsSpan(header.Count + payload.Length, TagLength),
                packet.AsSpan(0, header.Count));
        }

        // §5.4.2: the sample starts 4 bytes after the packet number's start (as if it were 4 bytes long).
        using var aes = Aes.Create();
        aes.Key = keys.HeaderProtection;
        var mask = aes.EncryptEcb(packet.AsSpan(packetNumberOffset + 4, 16), PaddingMode.None);
        packet[0] ^= (byte)(mask[0] & 0x0F); // long header: the low four bits
        for (var i = 0; i < packetNumberLength; i++)
        {
            packet[packetNumberOffset + i] ^= mask[1 + i];
        }

        return packet;
    }

    /// <summary>HKDF-Expand-Label with an empty context (RFC 8446 §7.1): the label prefixed "tls13 ".</summary>
    private static byte[] ExpandLabel(byte[] secret, string label, int length)
    {
        var fullLabel = Encoding.ASCII.GetBytes("tls13 " + label);
        byte[] info = [(byte)(length >> 8), (byte)(length & 0xFF), (byte)fullLabel.Length, .. fullLabel, 0];
        return HKDF.Expand(HashAlgorithmName.SHA256, secret, length, info);
    }
}
