using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Recorder.Sessions.Tls;

namespace Recorder.Sessions.Quic;

/// <summary>
/// Reads a QUIC connection's long-header packets from its UDP payloads, decrypts the Initial packets
/// (RFC 9001 §5: keys from the client's first destination connection ID, header protection with
/// AES-ECB, AES-128-GCM), puts CRYPTO frames back in order and reads the ClientHello and ServerHello
/// with the TLS handshake parser (fingerprints with JA4's <c>q</c>). Feed datagrams in order of
/// arrival; never throws on their bytes; bounded per direction by <see cref="CryptoStreamBuffer.Limit"/>.
/// </summary>
public sealed class QuicInitialParser
{
    /// <summary>Largest datagram looked at (the largest UDP payload).</summary>
    private const int MaxDatagram = 65527;

    private readonly HandshakeCollector _handshake = new(TlsTransport.Quic);
    private readonly Direction _client = new();
    private readonly Direction _server = new();
    private readonly List<uint> _negotiation = [];
    private uint? _version;
    private byte[]? _originalDestination;
    private string? _clientSource;
    private string? _serverSource;
    private bool _retry;
    private bool _rederiveAfterRetry;
    private ulong? _closeError;
    private QuicVersion? _keysVersion;
    private QuicInitialKeys? _clientKeys;
    private QuicInitialKeys? _serverKeys;

    /// <summary>Feeds one UDP payload of this connection.</summary>
    public void Feed(bool fromClient, ReadOnlySpan<byte> datagram)
    {
        var direction = fromClient ? _client : _server;
        direction.Bytes += datagram.Length;
        direction.Datagrams++;
        if (direction.State == TlsDirectionState.NoData)
        {
            direction.State = TlsDirectionState.Parsing;
        }

        // After a Retry the client's next Initial names the destination ID the keys now come from,
        // even when its ClientHello was already read (RFC 9001 §5.2).
        var wanted = Reading(fromClient, direction) || (fromClient && _rederiveAfterRetry);
        if (!wanted || datagram.Length > MaxDatagram)
        {
            return;
        }

        var offset = 0;
        while (offset < datagram.Length)
        {
            var length = Packet(fromClient, direction, datagram[offset..]);
            if (length <= 0)
            {
                return;
            }

            offset += length;
        }
    }

    /// <summary>What has been read so far (a snapshot).</summary>
    public QuicMetadata Result
    {
        get
        {
            var known = _version is { } number ? QuicVersion.Find(number) : null;
            return new QuicMetadata
            {
                Version = _version,
                VersionName = known?.Name,
                UnsupportedVersion = _version is not null && known is null,
                OriginalDestinationConnectionId = _originalDestination is null ? null : Convert.ToHexStringLower(_originalDestination),
                ClientSourceConnectionId = _clientSource,
                ServerSourceConnectionId = _serverSource,
                Retry = _retry,
                NegotiationVersions = [.. _negotiation],
                CloseErrorCode = _closeError,
                ClientHello = _handshake.ClientHello,
                RetryClientHello = _handshake.RetryClientHello,
                ServerHello = _handshake.ServerHello,
                HelloRetryRequest = _handshake.HelloRetryRequest,
                Client = _client.Result(),
                Server = _server.Result(),
            };
        }
    }

    /// <summary>Reads one long-header packet at the start of <paramref name="packet"/>; returns its length, or 0 to stop reading the datagram.</summary>
    private int Packet(bool fromClient, Direction direction, ReadOnlySpan<byte> packet)
    {
        var reader = new SpanReader(packet);
        if (!reader.TryU8(out var first) || (first & 0x80) == 0)
        {
            // A short header (1-RTT) packet runs to the end of the datagram and is not for us.
            return 0;
        }

        if (!reader.TryBytes(4, out var versionBytes) || !reader.TryVector8(out var destination) || !reader.TryVector8(out var source))
        {
            return 0;
        }

        var number = BinaryPrimitives.ReadUInt32BigEndian(versionBytes);
        if (number == 0)
        {
            // Version Negotiation (RFC 9000 §17.2.1): the rest is a list of versions.
            while (_negotiation.Count < 64 && reader.TryBytes(4, out var offered))
            {
                _negotiation.Add(BinaryPrimitives.ReadUInt32BigEndian(offered));
            }

            return 0;
        }

        _version ??= number;
        var version = QuicVersion.Find(number);
        if (version is null || destination.Length > 20 || source.Length > 20)
        {
            return 0;
        }

        var type = (first >> 4) & 3;
        if (type == version.RetryType)
        {
            if (!fromClient)
            {
                _retry = true;
                _rederiveAfterRetry = true;
            }

            return 0;
        }

        var initial = type == version.InitialType;
        if (initial && (!reader.TryVarInt(out var tokenLength) || tokenLength > (ulong)reader.Remaining || !reader.TryBytes((int)tokenLength, out _)))
        {
            return 0;
        }

        if (!reader.TryVarInt(out var payloadLength) || payloadLength > (ulong)reader.Remaining)
        {
            return 0;
        }

        var packetNumberOffset = reader.Position;
        var total = packetNumberOffset + (int)payloadLength;
        if (!initial)
        {
            direction.OtherLongPackets++;
            return total;
        }

        if (fromClient)
        {
            _clientSource ??= Convert.ToHexStringLower(source);
            if (_originalDestination is null || _rederiveAfterRetry)
            {
                _originalDestination = destination.ToArray();
                _rederiveAfterRetry = false;
                _keysVersion = null;
            }
        }
        else
        {
            _serverSource ??= Convert.ToHexStringLower(source);
        }

        if (!Reading(fromClient, direction))
        {
            return total;
        }

        // Header and plaintext are worked on in a pooled buffer: nothing per connection outlives the packet.
        var scratch = ArrayPool<byte>.Shared.Rent(2 * total);
        try
        {
            var plaintext = Decrypt(fromClient, version, direction, packet[..total], packetNumberOffset, scratch);
            if (plaintext.IsEmpty)
            {
                direction.UndecryptablePackets++;
                return total;
            }

            direction.InitialPackets++;
            Frames(fromClient, direction, plaintext);
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Removes header protection and opens the payload (RFC 9001 §5.3, §5.4); empty on failure.</summary>
    private ReadOnlySpan<byte> Decrypt(bool fromClient, QuicVersion version, Direction direction, ReadOnlySpan<byte> packet, int packetNumberOffset,
        byte[] scratch)
    {
        // The sample is the 16 bytes 4 past the packet number's start (RFC 9001 §5.4.2).
        if (_originalDestination is null || packet.Length < packetNumberOffset + 4 + 16)
        {
            return [];
        }

        if (_keysVersion != version)
        {
            _clientKeys = QuicInitialKeys.Derive(version, _originalDestination, client: true);
            _serverKeys = QuicInitialKeys.Derive(version, _originalDestination, client: false);
            _keysVersion = version;
        }

        var keys = fromClient ? _clientKeys! : _serverKeys!;
        var header = scratch.AsSpan(0, packet.Length);
        packet.CopyTo(header);
        Span<byte> mask = stackalloc byte[16];
        using (var aes = Aes.Create())
        {
            aes.Key = keys.HeaderProtection;
            aes.EncryptEcb(header.Slice(packetNumberOffset + 4, 16), mask, PaddingMode.None);
        }

        header[0] ^= (byte)(mask[0] & 0x0f);
        var numberLength = (header[0] & 3) + 1;
        ulong truncated = 0;
        for (var i = 0; i < numberLength; i++)
        {
            header[packetNumberOffset + i] ^= mask[1 + i];
            truncated = (truncated << 8) | header[packetNumberOffset + i];
        }

        var packetNumber = DecodePacketNumber(direction.LargestPacketNumber, truncated, numberLength * 8);
        Span<byte> nonce = stackalloc byte[12];
        keys.Iv.CopyTo(nonce);
        for (var i = 0; i < 8; i++)
        {
            nonce[4 + i] ^= unchecked((byte)(packetNumber >> (56 - (8 * i))));
        }

        var payloadStart = packetNumberOffset + numberLength;
        if (packet.Length - payloadStart < 16)
        {
            return [];
        }

        var ciphertext = header[payloadStart..^16];
        var plaintext = scratch.AsSpan(packet.Length, ciphertext.Length);
        try
        {
            using var gcm = new AesGcm(keys.Key, 16);
            gcm.Decrypt(nonce, ciphertext, header[^16..], plaintext, header[..payloadStart]);
        }
        catch (CryptographicException)
        {
            // Not ours to open (wrong keys, damaged, or not QUIC after all): counted as undecryptable.
            return [];
        }

        direction.LargestPacketNumber = Math.Max(direction.LargestPacketNumber, (long)packetNumber);
        return plaintext;
    }

    /// <summary>
    /// Whether this direction's Initial packets are still read: while its hello is not complete, and
    /// for the client after it while a second ClientHello may follow a HelloRetryRequest (RFC 8446
    /// §4.1.4; in QUIC it continues the Initial CRYPTO stream under the same Initial keys, which only a
    /// Retry changes, RFC 9001 §5.2).
    /// The client's state stays <see cref="TlsDirectionState.Encrypted"/> meanwhile: nothing but that
    /// hello is left for it in the clear.
    /// </summary>
    private bool Reading(bool fromClient, Direction direction) =>
        direction.State == TlsDirectionState.Parsing || (fromClient && direction.State == TlsDirectionState.Encrypted && _handshake.ClientMayRetry);

    /// <summary>RFC 9000 Appendix A.3.</summary>
    private static ulong DecodePacketNumber(long largest, ulong truncated, int bits)
    {
        var expected = (ulong)(largest + 1);
        var window = 1UL << bits;
        var half = window / 2;
        var candidate = (expected & ~(window - 1)) | truncated;
        if (candidate + half <= expected && candidate < (1UL << 62) - window)
        {
            return candidate + window;
        }

        return candidate > expected + half && candidate >= window ? candidate - window : candidate;
    }

    /// <summary>Reads the frames an Initial packet may carry (RFC 9000 §17.2.2, §19).</summary>
    private void Frames(bool fromClient, Direction direction, ReadOnlySpan<byte> payload)
    {
        var reader = new SpanReader(payload);
        while (!reader.IsEmpty && Reading(fromClient, direction))
        {
            if (!reader.TryVarInt(out var type))
            {
                return;
            }

            switch (type)
            {
                case 0x00 or 0x01:
                    break;
                case 0x02 or 0x03:
                    if (!SkipAck(ref reader, ecn: type == 0x03))
                    {
                        direction.Fail(TlsDirectionState.Malformed, "ACK frame runs past the packet");
                    }

                    break;
                case 0x06:
                    if (!reader.TryVarInt(out var offset) || !reader.TryVarInt(out var length) || length > (ulong)reader.Remaining
                        || !reader.TryBytes((int)length, out var data))
                    {
                        direction.Fail(TlsDirectionState.Malformed, "CRYPTO frame runs past the packet");
                        return;
                    }

                    Crypto(fromClient, direction, offset, data);
                    break;
                case 0x1c or 0x1d:
                    if (reader.TryVarInt(out var error))
                    {
                        _closeError ??= error;
                    }

                    return;
                default:
                    direction.Fail(TlsDirectionState.Malformed, $"frame type 0x{type:x} is not allowed in an Initial packet");
                    return;
            }
        }
    }

    private void Crypto(bool fromClient, Direction direction, ulong offset, ReadOnlySpan<byte> data)
    {
        var fresh = direction.Stream.Insert(offset, data);
        if (direction.Stream.LimitHit)
        {
            direction.Fail(TlsDirectionState.LimitReached,
                $"CRYPTO data beyond {CryptoStreamBuffer.Limit} bytes or in more than {CryptoStreamBuffer.MaxRanges} pieces");
            return;
        }

        if (fresh.IsEmpty)
        {
            return;
        }

        direction.Messages.Push(fresh, fromClient ? _handshake.Client : _handshake.Server);
        if (direction.Messages.LimitHit)
        {
            direction.Fail(TlsDirectionState.LimitReached, $"handshake message longer than {TlsLimits.MaxHandshakeMessage} bytes");
        }
        else if (fromClient ? _handshake.ClientHello is not null : _handshake.ServerEncryptsRest || direction.Messages.Stopped)
        {
            direction.Fail(TlsDirectionState.Encrypted, null);
        }
    }

    private static bool SkipAck(ref SpanReader reader, bool ecn)
    {
        if (!reader.TryVarInt(out _) || !reader.TryVarInt(out _) || !reader.TryVarInt(out var ranges) || !reader.TryVarInt(out _))
        {
            return false;
        }

        for (ulong i = 0; i < ranges; i++)
        {
            if (!reader.TryVarInt(out _) || !reader.TryVarInt(out _))
            {
                return false;
            }
        }

        return !ecn || (reader.TryVarInt(out _) && reader.TryVarInt(out _) && reader.TryVarInt(out _));
    }

    private sealed class Direction
    {
        public CryptoStreamBuffer Stream { get; } = new();

        public HandshakeAssembler Messages { get; } = new();

        public TlsDirectionState State { get; set; } = TlsDirectionState.NoData;

        public string? Detail { get; private set; }

        public long Bytes { get; set; }

        public int Datagrams { get; set; }

        public int InitialPackets { get; set; }

        public int UndecryptablePackets { get; set; }

        public int OtherLongPackets { get; set; }

        public long LargestPacketNumber { get; set; } = -1;

        public void Fail(TlsDirectionState state, string? detail)
        {
            State = state;
            Detail = detail;
        }

        public QuicDirectionResult Result() => new()
        {
            State = State,
            Detail = Detail,
            Bytes = Bytes,
            Datagrams = Datagrams,
            InitialPackets = InitialPackets,
            UndecryptablePackets = UndecryptablePackets,
            OtherLongPackets = OtherLongPackets,
            CryptoBytes = Stream.Delivered,
            Truncated = Messages.Pending,
        };
    }
}
