namespace Recorder.Signing.TimeStamping;

/// <summary>Settings of <see cref="BuiltInTimeStampAuthority"/>; the defaults are safe.</summary>
public sealed record BuiltInTimeStampAuthorityOptions
{
    /// <summary>The certificate's common name when one is created (e.g. including the store id).</summary>
    public string CommonName { get; init; } = "Recorder built-in time-stamp authority";

    /// <summary>How long a newly created certificate is valid. Default 30 years: evidence outlives keys.</summary>
    public TimeSpan CertificateValidity { get; init; } = TimeSpan.FromDays(365.25 * 30);

    /// <summary>
    /// The accuracy to state in tokens. Null (the default) states what the kernel reports: the
    /// clock's <c>maxerror</c> when it says the clock is synchronized, and no accuracy at all when it
    /// is unsynchronized or cannot be asked (an honest "unknown", RFC 3161 §2.4.2).
    /// </summary>
    public TimeSpan? Accuracy { get; init; }

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(CommonName) || CommonName.Length > 64)
        {
            throw new ArgumentException("CommonName must be 1 to 64 characters", nameof(CommonName));
        }

        if (CertificateValidity <= TimeSpan.FromDays(1))
        {
            throw new ArgumentException("CertificateValidity must exceed one day", nameof(CertificateValidity));
        }

        if (Accuracy is { } accuracy && (accuracy <= TimeSpan.Zero || accuracy >= TimeSpan.FromDays(1)))
        {
            throw new ArgumentException("Accuracy must be positive and below one day", nameof(Accuracy));
        }
    }
}
