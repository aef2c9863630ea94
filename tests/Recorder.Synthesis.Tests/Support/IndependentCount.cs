using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Recorder.Core.Formats;
using Recorder.Core.Packets;
using Recorder.Core.Query;
using Recorder.Core.Time;
using Recorder.Synthesis.Truth;

namespace Recorder.Synthesis.Tests.Support;

/// <summary>What a selection found when counted by decoding the file.</summary>
public sealed record Tally(long Packets, long Bytes, long First, long Last);

/// <summary>
/// Counts packets by reading the file back with Core's reader and decoder and Core's query
/// semantics: independent of the synthesizer's own bookkeeping.
/// </summary>
public static class IndependentCount
{
    /// <summary>Builds Core's query from the truth's structured fields, parsing addresses here (not with the synthesizer's code).</summary>
    public static PacketQuery ToCoreQuery(SynthesisQuery query) => new()
    {
        Hosts = query.Hosts.Select(ParseNetwork).ToList(),
        Ports = query.Ports.Select(p => (ushort)p).ToList(),
        Protocols = query.Protocols.Select(p => p switch
        {
            "tcp" => Protocols.Tcp,
            "udp" => Protocols.Udp,
            "icmp" => Protocols.Icmp,
            "icmp6" => Protocols.Icmp6,
            _ => throw new FormatException(p),
        }).ToList(),
        From = query.From is null ? null : TimestampParser.Parse(query.From),
        To = query.To is null ? null : TimestampParser.Parse(query.To),
    };

    public static Tally Count(string path, PacketQuery query)
    {
        using var stream = File.OpenRead(path);
        return Count(stream, path, query);
    }

    public static Tally Count(Stream stream, string name, PacketQuery query)
    {
        using var reader = CaptureFileReader.Open(stream, name);
        long packets = 0;
        long bytes = 0;
        var first = long.MaxValue;
        var last = long.MinValue;
        while (reader.TryRead(out var packet))
        {
            PacketDecoder.TryDecode(packet.LinkType, packet.Data, out var decoded);
            if (query.MatchesFlowConditions(decoded) && query.InWindow(packet.TimestampNanoseconds))
            {
                packets++;
                bytes += packet.Data.Length;
                first = Math.Min(first, packet.TimestampNanoseconds);
                last = Math.Max(last, packet.TimestampNanoseconds);
            }
        }

        return new Tally(packets, bytes, first, last);
    }

    private static IpNetwork ParseNetwork(string text)
    {
        var parts = text.Split('/');
        var address = IPAddress.Parse(parts[0]);
        var isV4 = address.AddressFamily == AddressFamily.InterNetwork;
        var prefix = parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : isV4 ? 32 : 128;
        var bytes = address.GetAddressBytes();
        UInt128 value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }

        var bits = isV4 ? 32 : 128;
        if (isV4)
        {
            value |= IpAddress128.V4MappedPrefix;
        }

        var hostBits = bits - prefix;
        var mask = hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        return new IpNetwork(value & ~mask, value | mask, isV4, prefix);
    }
}
