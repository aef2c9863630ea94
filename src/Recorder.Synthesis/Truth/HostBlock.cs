using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Recorder.Core.Packets;
using Recorder.Core.Query;

namespace Recorder.Synthesis.Truth;

/// <summary>Parses the addresses and CIDR blocks the truth writes (its own inputs only).</summary>
internal static class HostBlock
{
    public static IpNetwork Parse(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash >= 0 ? text[..slash] : text;
        if (!IPAddress.TryParse(addressText, out var address))
        {
            throw new FormatException($"'{text}' is not an address or CIDR block");
        }

        var isV4 = address.AddressFamily == AddressFamily.InterNetwork;
        var bits = isV4 ? 32 : 128;
        var prefix = slash >= 0 ? int.Parse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture) : bits;
        if (prefix > bits)
        {
            throw new FormatException($"'{text}': prefix longer than {bits} bits");
        }

        var hostBits = bits - prefix;
        var mask = hostBits == 0 ? UInt128.Zero : hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        var first = IpAddress128.From(address) & ~mask;
        return new IpNetwork(first, first | mask, isV4, prefix);
    }
}
