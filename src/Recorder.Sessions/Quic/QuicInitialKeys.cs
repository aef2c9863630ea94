using System.Security.Cryptography;
using System.Text;

namespace Recorder.Sessions.Quic;

/// <summary>
/// The AEAD key, IV and header protection key of one direction's Initial packets (RFC 9001 §5.2):
/// initial_secret = HKDF-Extract(salt, original destination connection ID), then
/// HKDF-Expand-Label(initial_secret, "client in" | "server in"), then "quic key"/"quic iv"/"quic hp"
/// (RFC 8446 §7.1's label encoding). AES-128-GCM, so 16/12/16 bytes.
/// </summary>
internal sealed record QuicInitialKeys(byte[] Secret, byte[] Key, byte[] Iv, byte[] HeaderProtection)
{
    public static QuicInitialKeys Derive(QuicVersion version, ReadOnlySpan<byte> originalDestinationConnectionId, bool client)
    {
        var initial = new byte[32];
        HKDF.Extract(HashAlgorithmName.SHA256, originalDestinationConnectionId, version.Salt, initial);
        var secret = ExpandLabel(initial, client ? "client in" : "server in", 32);
        return new QuicInitialKeys(secret, ExpandLabel(secret, version.KeyLabel, 16), ExpandLabel(secret, version.IvLabel, 12),
            ExpandLabel(secret, version.HpLabel, 16));
    }

    /// <summary>HKDF-Expand-Label with an empty context (RFC 8446 §7.1).</summary>
    public static byte[] ExpandLabel(byte[] secret, string label, int length)
    {
        var fullLabel = Encoding.ASCII.GetBytes("tls13 " + label);
        var info = new byte[2 + 1 + fullLabel.Length + 1];
        info[0] = (byte)(length >> 8);
        info[1] = (byte)length;
        info[2] = (byte)fullLabel.Length;
        fullLabel.CopyTo(info, 3);
        return HKDF.Expand(HashAlgorithmName.SHA256, secret, length, info);
    }
}
