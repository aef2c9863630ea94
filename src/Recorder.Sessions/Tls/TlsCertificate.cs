namespace Recorder.Sessions.Tls;

/// <summary>
/// One certificate of a Certificate message seen in the clear (TLS ≤ 1.2). The fingerprints are over
/// the DER bytes as sent, so they exist even when the certificate does not parse.
/// </summary>
public sealed record TlsCertificate
{
    /// <summary>Position in the chain as sent (0 = the server's own certificate).</summary>
    public required int Index { get; init; }

    /// <summary>Length of the DER encoding.</summary>
    public required int Length { get; init; }

    /// <summary>SHA-256 of the DER, lower-case hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>SHA-1 of the DER, lower-case hex.</summary>
    public required string Sha1 { get; init; }

    /// <summary>Subject distinguished name in RFC 4514 order ("CN=…, O=…, C=…"); null when unparsable.</summary>
    public string? Subject { get; init; }

    /// <summary>Issuer distinguished name in RFC 4514 order; null when unparsable.</summary>
    public string? Issuer { get; init; }

    /// <summary>Serial number as lower-case hex of its big-endian DER content bytes; null when unparsable.</summary>
    public string? SerialNumber { get; init; }

    /// <summary>Start of validity, UTC.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>End of validity, UTC.</summary>
    public DateTimeOffset? NotAfter { get; init; }

    /// <summary>Why the certificate could not be parsed; null when it parsed.</summary>
    public string? Malformed { get; init; }
}
