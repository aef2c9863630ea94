namespace Recorder.Sessions.Quic;

/// <summary>
/// The QUIC versions whose Initial packets can be opened: their initial salt, key labels and long
/// header packet type codes.
/// </summary>
internal sealed class QuicVersion
{
    private QuicVersion(uint number, string name, byte[] salt, string labelPrefix, int initialType, int retryType)
    {
        Number = number;
        Name = name;
        Salt = salt;
        KeyLabel = labelPrefix + " key";
        IvLabel = labelPrefix + " iv";
        HpLabel = labelPrefix + " hp";
        InitialType = initialType;
        RetryType = retryType;
    }

    /// <summary>QUIC version 1 (RFC 9000; salt and labels RFC 9001 §5.2).</summary>
    public static QuicVersion V1 { get; } = new(0x00000001, "1", Convert.FromHexString("38762cf7f55934b34d179ae6a4c80cadccbb7f0a"), "quic", 0, 3);

    /// <summary>QUIC version 2 (RFC 9369 §3.3: salt, "quicv2" labels, Initial = 0b01, Retry = 0b00).</summary>
    public static QuicVersion V2 { get; } = new(0x6b3343cf, "2", Convert.FromHexString("0dede3def700a6db819381be6e269dcbf9bd2ed9"), "quicv2", 1, 0);

    /// <summary>IETF drafts 29 to 32, still seen from older clients (draft-ietf-quic-tls-29 §5.2).</summary>
    private static readonly QuicVersion[] Drafts =
    [
        .. Enumerable.Range(29, 4).Select(draft => new QuicVersion(0xff000000u | (uint)draft, $"draft-{draft}",
            Convert.FromHexString("afbfec289993d24c9e9786f19c6111e04390a899"), "quic", 0, 3)),
    ];

    public uint Number { get; }

    public string Name { get; }

    public byte[] Salt { get; }

    public string KeyLabel { get; }

    public string IvLabel { get; }

    public string HpLabel { get; }

    public int InitialType { get; }

    public int RetryType { get; }

    public static QuicVersion? Find(uint number) => number switch
    {
        0x00000001 => V1,
        0x6b3343cf => V2,
        >= 0xff00001d and <= 0xff000020 => Drafts[number - 0xff00001d],
        _ => null,
    };
}
