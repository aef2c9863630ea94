using System.Buffers.Binary;
using Recorder.Core.Packets;

namespace Recorder.Sessions.Tls;

/// <summary>
/// Finds a TLS ClientHello's random in one captured frame, without reassembly: the random lies at a
/// fixed place in the ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2: record header 5 octets,
/// handshake header 4, legacy_version 2, then the 32-octet random), so the first TCP segment of the
/// hello is enough even when the rest of the hello is in later segments. Used to decide, while an
/// extraction streams its packets, which connections' secrets go in front of them.
/// </summary>
/// <remarks>
/// Limits: the hello's record must start a record in this segment's payload (records before it in
/// the same payload, e.g. the ChangeCipherSpec TLS 1.3 clients send before a second hello, are
/// skipped); a hello whose first 43 octets are split over two TCP segments, and TLS over QUIC (its
/// hello is inside encrypted Initial packets), are not found. Never throws on frame content.
/// </remarks>
public static class TlsClientRandom
{
    private const int RandomOffset = 11;
    private const int RandomLength = 32;

    /// <summary>
    /// The client random (64 lower-case hex digits) of a ClientHello that starts a TLS record in the
    /// TCP payload of <paramref name="frame"/>; false when there is none.
    /// </summary>
    public static bool TryFind(int linkType, ReadOnlySpan<byte> frame, out string? clientRandom)
    {
        clientRandom = null;
        if (!PacketView.TryParse(linkType, frame, out var view) || view.Protocol != Protocols.Tcp || view.IsLaterFragment)
        {
            return false;
        }

        var payload = view.Payload;
        // At most a few records are walked: a hello comes first or after one small record.
        for (var records = 0; records < 4 && payload.Length >= 6; records++)
        {
            if (payload[0] is < 20 or > 23 || payload[1] != 3 || payload[2] > 4)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(payload[3..]);
            if (payload[0] == 22 && payload[5] == 1)
            {
                if (payload.Length < RandomOffset + RandomLength || length < RandomOffset + RandomLength - 5)
                {
                    return false;
                }

                clientRandom = Convert.ToHexStringLower(payload.Slice(RandomOffset, RandomLength));
                return true;
            }

            if (payload.Length < 5 + length)
            {
                return false;
            }

            payload = payload[(5 + length)..];
        }

        return false;
    }
}
