using System.Buffers.Binary;
using Recorder.Sessions.Reassembly;
using Recorder.Sessions.Tls;

namespace Recorder.Sessions.Ssh;

/// <summary>
/// An SSH session's clear-text opening (RFC 4253): each side's identification string and its first
/// SSH_MSG_KEXINIT, with Salesforce's HASSH fingerprints (github.com/salesforce/hassh): HASSH is the
/// MD5 of the client's <c>kex;encryption c→s;mac c→s;compression c→s</c> name-lists, HASSHServer of the
/// server's <c>kex;encryption s→c;mac s→c;compression s→c</c>; the algorithm strings are kept too.
/// </summary>
public sealed class SshSessionMetadata : ISessionMetadata
{
    /// <inheritdoc />
    public string Application => "ssh";

    /// <summary>The client's identification string (<c>SSH-2.0-…</c>, without CR LF).</summary>
    public string? ClientBanner { get; internal set; }

    /// <summary>The server's identification string.</summary>
    public string? ServerBanner { get; internal set; }

    /// <summary>HASSH (MD5, lower-case hex) of the client's KEXINIT.</summary>
    public string? Hassh { get; internal set; }

    /// <summary>The string HASSH hashes.</summary>
    public string? HasshAlgorithms { get; internal set; }

    /// <summary>HASSHServer (MD5) of the server's KEXINIT.</summary>
    public string? HasshServer { get; internal set; }

    /// <summary>The string HASSHServer hashes.</summary>
    public string? HasshServerAlgorithms { get; internal set; }

    /// <summary>The client's server host key algorithms (its preference order).</summary>
    public string? ClientHostKeyAlgorithms { get; internal set; }

    /// <summary>Where either side's opening could not be read (truncated, malformed, a gap, a limit), else null.</summary>
    public string? Problem { get; internal set; }
}

/// <summary>Reads both directions of an SSH stream until each side's KEXINIT (see <see cref="SshSessionMetadata"/>).</summary>
internal sealed class SshStreamDissector : IStreamDissector
{
    /// <summary>Bytes kept per direction while the banner and KEXINIT are incomplete (RFC 4253 §6.1: packets of 35 000 bytes must be handled).</summary>
    public const int MaxOpeningBytes = 40 * 1024;

    private readonly SshSessionMetadata _metadata = new();
    private readonly Side _client = new(true);
    private readonly Side _server = new(false);

    public SshStreamDissector(SessionRecord session) => session.Metadata = _metadata;

    public bool Finished => _client.Done && _server.Done;

    public void OnData(bool fromClient, ReadOnlySpan<byte> data, long timestampNanoseconds) =>
        (fromClient ? _client : _server).Feed(data, _metadata);

    public void OnGap(bool fromClient, long missingBytes) => (fromClient ? _client : _server).Stop(_metadata, "a gap in the stream");

    public void OnEnd()
    {
        _client.End(_metadata);
        _server.End(_metadata);
    }

    private sealed class Side(bool client)
    {
        private byte[] _buffer = new byte[1024];
        private int _length;
        private bool _bannerRead;

        public bool Done { get; private set; }

        public void Feed(ReadOnlySpan<byte> data, SshSessionMetadata metadata)
        {
            if (Done)
            {
                return;
            }

            var take = Math.Min(data.Length, MaxOpeningBytes - _length);
            if (_length + take > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Min(MaxOpeningBytes, Math.Max(_buffer.Length * 2, _length + take)));
            }

            data[..take].CopyTo(_buffer.AsSpan(_length));
            _length += take;
            Parse(metadata);
            if (!Done && _length == MaxOpeningBytes)
            {
                Stop(metadata, $"no complete KEXINIT within {MaxOpeningBytes} bytes");
            }
        }

        public void Stop(SshSessionMetadata metadata, string why)
        {
            if (!Done)
            {
                Done = true;
                metadata.Problem ??= $"{(client ? "client" : "server")}: {why}";
                _buffer = [];
            }
        }

        public void End(SshSessionMetadata metadata)
        {
            if (!Done && _length > 0)
            {
                Stop(metadata, _bannerRead ? "the stream ended before a complete KEXINIT" : "the stream ended inside the identification string");
            }
        }

        private void Parse(SshSessionMetadata metadata)
        {
            var data = _buffer.AsSpan(0, _length);
            var consumed = 0;
            while (!_bannerRead)
            {
                // RFC 4253 §4.2: the server may send other lines first; the identification line starts with "SSH-".
                var newline = data[consumed..].IndexOf((byte)'\n');
                if (newline < 0)
                {
                    if (_length - consumed > 255 + 2)
                    {
                        Stop(metadata, "an identification line longer than 255 characters");
                    }

                    Compact(consumed);
                    return;
                }

                var line = data.Slice(consumed, newline);
                consumed += newline + 1;
                if (line.EndsWith("\r"u8))
                {
                    line = line[..^1];
                }

                if (line.StartsWith("SSH-"u8))
                {
                    var banner = ClaimedText.Escape(line);
                    if (client)
                    {
                        metadata.ClientBanner = banner;
                    }
                    else
                    {
                        metadata.ServerBanner = banner;
                    }

                    _bannerRead = true;
                }
                else if (client)
                {
                    Stop(metadata, "the client's first line is not an identification string");
                    return;
                }
            }

            // Binary packets before NEWKEYS are neither encrypted nor MACed: uint32 length, byte padding, payload, padding.
            while (data.Length - consumed >= 5)
            {
                var packetLength = BinaryPrimitives.ReadUInt32BigEndian(data[consumed..]);
                if (packetLength is < 5 or > 35000)
                {
                    Stop(metadata, $"a binary packet length of {packetLength}");
                    return;
                }

                if (data.Length - consumed - 4 < packetLength)
                {
                    break;
                }

                var packet = data.Slice(consumed + 4, (int)packetLength);
                consumed += 4 + (int)packetLength;
                var padding = packet[0];
                if (padding + 1 >= packet.Length)
                {
                    Stop(metadata, "a padding length beyond its packet");
                    return;
                }

                var payload = packet[1..^padding];
                if (payload[0] == 20)
                {
                    ReadKexInit(payload, metadata);
                    return;
                }
            }

            Compact(consumed);
        }

        private void ReadKexInit(ReadOnlySpan<byte> payload, SshSessionMetadata metadata)
        {
            // byte 20, byte[16] cookie, ten name-lists (RFC 4253 §7.1).
            var lists = new string[10];
            var at = 17;
            for (var i = 0; i < lists.Length; i++)
            {
                if (payload.Length - at < 4)
                {
                    Stop(metadata, "a KEXINIT cut inside its name-lists");
                    return;
                }

                var length = BinaryPrimitives.ReadUInt32BigEndian(payload[at..]);
                if (length > (uint)(payload.Length - at - 4))
                {
                    Stop(metadata, "a KEXINIT name-list longer than its packet");
                    return;
                }

                lists[i] = ClaimedText.Escape(payload.Slice(at + 4, (int)length));
                at += 4 + (int)length;
            }

            if (client)
            {
                metadata.HasshAlgorithms = $"{lists[0]};{lists[2]};{lists[4]};{lists[6]}";
                metadata.Hassh = Fingerprints.Md5Hex(metadata.HasshAlgorithms);
                metadata.ClientHostKeyAlgorithms = lists[1];
            }
            else
            {
                metadata.HasshServerAlgorithms = $"{lists[0]};{lists[3]};{lists[5]};{lists[7]}";
                metadata.HasshServer = Fingerprints.Md5Hex(metadata.HasshServerAlgorithms);
            }

            Done = true;
            _buffer = [];
        }

        private void Compact(int consumed)
        {
            if (consumed > 0)
            {
                _buffer.AsSpan(consumed, _length - consumed).CopyTo(_buffer);
                _length -= consumed;
            }
        }

    }
}
