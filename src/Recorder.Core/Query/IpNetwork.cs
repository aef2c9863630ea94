using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Recorder.Core.Packets;

namespace Recorder.Core.Query;

/// <summary>
/// An IPv4 or IPv6 address or CIDR block (<c>10.1.0.0/16</c>, <c>2001:db8::/32</c>), held as an
/// inclusive range of 128-bit addresses (see <see cref="IpAddress128"/>).
/// </summary>
public sealed record IpNetwork(UInt128 First, UInt128 Last, bool IsIPv4, int PrefixLength)
{
    /// <summary>Parses an address or CIDR block; on failure returns false and says why.</summary>
    public static bool TryParse(string? text, out IpNetwork network, out string error)
    {
        network = null!;
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty address";
            return false;
        }

        var slash = text.IndexOf('/');
        var addressText = slash >= 0 ? text[..slash] : text;
        if (!IPAddress.TryParse(addressText, out var address)
            || (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3)
            || (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0))
        {
            error = $"'{text}' is not an IPv4 or IPv6 address";
            return false;
        }

        var isV4 = address.AddressFamily == AddressFamily.InterNetwork;
        var maxPrefix = isV4 ? 32 : 128;
        var prefix = maxPrefix;
        if (slash >= 0)
        {
            var prefixText = text[(slash + 1)..];
            if (!int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > maxPrefix)
            {
                error = $"'{text}': prefix length must be 0 to {maxPrefix}";
                return false;
            }
        }

        var value = IpAddress128.From(address);
        var hostBits = maxPrefix - prefix;
        var mask = hostBits == 0 ? UInt128.Zero : (hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1);
        var first = value & ~mask;
        if (first != value)
        {
            error = $"'{text}' has host bits set; did you mean {IpAddress128.Format(first, isV4)}/{prefix}?";
            return false;
        }

        network = new IpNetwork(first, first | mask, isV4, prefix);
        return true;
    }

    /// <summary>True when the packet's family matches and <paramref name="address"/> is in the block.</summary>
    public bool Contains(NetworkKind kind, UInt128 address)
    {
        var familyMatches = IsIPv4 ? kind is NetworkKind.IPv4 or NetworkKind.Arp : kind == NetworkKind.IPv6;
        return familyMatches && address >= First && address <= Last;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = IpAddress128.Format(First, IsIPv4);
        return PrefixLength == (IsIPv4 ? 32 : 128) ? text : $"{text}/{PrefixLength}";
    }
}
