namespace Recorder.Sessions;

/// <summary>
/// Limits and timeouts of a <see cref="SessionBuilder"/>. Defaults follow Zeek where Zeek has one
/// (<c>tcp_inactivity_timeout</c> 5 min, <c>udp_inactivity_timeout</c> and
/// <c>icmp_inactivity_timeout</c> 1 min, <c>tcp_close_delay</c> 5 s). Times are capture time.
/// </summary>
public sealed record SessionOptions
{
    /// <summary>Sessions held at once; at the limit the least recently active one is emitted early (counted in <see cref="SessionStatistics.Evicted"/>).</summary>
    public int MaxSessions { get; init; } = 262_144;

    /// <summary>A TCP session with no packet for this long is emitted.</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A UDP session with no packet for this long is emitted.</summary>
    public TimeSpan UdpIdleTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Any other protocol's session (ICMP…) with no packet for this long is emitted.</summary>
    public TimeSpan OtherIdleTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>After both FINs or a RST, late packets (the last ACK) still count for this long.</summary>
    public TimeSpan TcpCloseDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Out-of-order bytes buffered per TCP direction before the oldest hole is given up as a gap.</summary>
    public int MaxBufferedBytesPerStream { get; init; } = 256 * 1024;

    /// <summary>Recently delivered bytes kept per TCP direction to tell a retransmission from an overlap with different data.</summary>
    public int RetransmissionCheckBytes { get; init; } = 4096;

    /// <summary>First payload bytes per TCP direction offered to the factories' claims; past this an unclaimed stream is <c>unknown</c>.</summary>
    public int IdentificationBytes { get; init; } = 2048;

    /// <summary>Datagrams of a UDP session offered to the datagram factories before it is <c>unknown</c>.</summary>
    public int IdentificationDatagrams { get; init; } = 8;

    /// <summary>Checks every value; throws <see cref="ArgumentOutOfRangeException"/> naming the first bad one.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSessions, 1, nameof(MaxSessions));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TcpIdleTimeout, TimeSpan.Zero, nameof(TcpIdleTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(UdpIdleTimeout, TimeSpan.Zero, nameof(UdpIdleTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(OtherIdleTimeout, TimeSpan.Zero, nameof(OtherIdleTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(TcpCloseDelay, TimeSpan.Zero, nameof(TcpCloseDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBufferedBytesPerStream, 0, nameof(MaxBufferedBytesPerStream));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetransmissionCheckBytes, 0, nameof(RetransmissionCheckBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(IdentificationBytes, 16, nameof(IdentificationBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(IdentificationDatagrams, 1, nameof(IdentificationDatagrams));
    }
}

/// <summary>Counters of a <see cref="SessionBuilder"/>: everything not turned into a session is counted here.</summary>
public sealed class SessionStatistics
{
    /// <summary>Packets given to <see cref="SessionBuilder.Add"/>.</summary>
    public long Packets { get; internal set; }

    /// <summary>Packets without an IPv4/IPv6 header found (ARP, other EtherTypes, truncated).</summary>
    public long NotIp { get; internal set; }

    /// <summary>IP fragments after the first: no ports, not defragmented, not in any session.</summary>
    public long LaterFragments { get; internal set; }

    /// <summary>Sessions emitted.</summary>
    public long Sessions { get; internal set; }

    /// <summary>Sessions emitted early because the table was full.</summary>
    public long Evicted { get; internal set; }

    /// <summary>Dissector exceptions caught (each a defect; the session records it).</summary>
    public long DissectorFailures { get; internal set; }
}
