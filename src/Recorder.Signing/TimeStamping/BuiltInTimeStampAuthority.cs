using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.Utilities.Collections;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Recorder.Signing.TimeStamping;

/// <summary>
/// The time-stamp authority built into Recorder: an ECDSA P-256 key and a self-signed certificate
/// (critical extended key usage <c>id-kp-timeStamping</c>, so <c>openssl ts -verify</c> accepts its
/// tokens), created once in a directory and loaded afterwards. Tokens carry a SHA-256 message
/// imprint, the caller's nonce, a serial number from a persisted counter (unique and strictly
/// increasing across processes), the policy <see cref="RecorderOids.BuiltInTimeStampPolicyV1"/>, a
/// <c>genTime</c> from the injected clock in milliseconds, and an accuracy only when the host can
/// vouch for one. Its time is the operator's own clock: see docs/time-stamping.md for what that
/// does and does not prove.
/// </summary>
/// <remarks>
/// Files in the directory: <c>tsa-key.pem</c> (PKCS#8 private key, mode 0600), <c>tsa.pem</c> (the
/// certificate), <c>tsa-serial</c> (the last serial number issued, decimal). Creation and serial
/// allocation run under an exclusive lock on <c>tsa.lock</c>.
/// </remarks>
public sealed class BuiltInTimeStampAuthority : ITimeStampAuthority
{
    /// <summary>The private key file's name.</summary>
    public const string KeyFileName = "tsa-key.pem";

    /// <summary>The certificate file's name.</summary>
    public const string CertificateFileName = "tsa.pem";

    /// <summary>The serial counter file's name.</summary>
    public const string SerialFileName = "tsa-serial";

    private const string LockFileName = "tsa.lock";

    private static readonly IList<string> AcceptedAlgorithms =
        [NistObjectIdentifiers.IdSha256.Id, NistObjectIdentifiers.IdSha384.Id, NistObjectIdentifiers.IdSha512.Id];

    private readonly string _directory;
    private readonly TimeProvider _clock;
    private readonly BuiltInTimeStampAuthorityOptions _options;
    private readonly ECPrivateKeyParameters _key;
    private readonly BcCertificate _certificate;

    private BuiltInTimeStampAuthority(string directory, TimeProvider clock, BuiltInTimeStampAuthorityOptions options, ECPrivateKeyParameters key, BcCertificate certificate)
    {
        _directory = directory;
        _clock = clock;
        _options = options;
        _key = key;
        _certificate = certificate;
        CertificatePem = TimeStampVerifier.Pem(certificate);
        CertificateDer = certificate.GetEncoded();
    }

    /// <inheritdoc />
    public string Description => "built-in (" + _certificate.SubjectDN + ")";

    /// <inheritdoc />
    public string? TrustAnchorPem => CertificatePem;

    /// <summary>The authority's certificate as PEM (the <c>tsa.pem</c> to give <c>openssl ts -verify -CAfile</c>).</summary>
    public string CertificatePem { get; }

    /// <summary>The authority's certificate as DER.</summary>
    public byte[] CertificateDer { get; }

    /// <summary>The directory holding the key, certificate and serial counter.</summary>
    public string Directory => _directory;

    /// <summary>
    /// Loads the authority from <paramref name="directory"/>, creating its key and certificate
    /// there first if they do not exist yet.
    /// </summary>
    /// <exception cref="TimeStampException">The files exist but are unusable (e.g. the key is missing while the certificate is there).</exception>
    public static BuiltInTimeStampAuthority OpenOrCreate(string directory, TimeProvider clock, BuiltInTimeStampAuthorityOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(clock);
        options ??= new BuiltInTimeStampAuthorityOptions();
        options.Validate();
        System.IO.Directory.CreateDirectory(directory);
        using var guard = ExclusiveLock(directory);
        var keyPath = Path.Combine(directory, KeyFileName);
        var certPath = Path.Combine(directory, CertificateFileName);
        ECPrivateKeyParameters key;
        if (File.Exists(keyPath))
        {
            key = LoadKey(keyPath);
        }
        else
        {
            if (File.Exists(certPath))
            {
                throw new TimeStampException($"{certPath} exists but its private key {keyPath} is missing: the authority cannot sign");
            }

            key = GenerateKey();
            WriteDurably(keyPath, Ed25519Key.EncodePem("PRIVATE KEY", PrivateKeyInfoFactory.CreatePrivateKeyInfo(key).GetDerEncoded()), privateFile: true);
        }

        BcCertificate certificate;
        if (File.Exists(certPath))
        {
            certificate = LoadCertificate(certPath, key);
        }
        else
        {
            certificate = CreateCertificate(key, clock, options);
            WriteDurably(certPath, TimeStampVerifier.Pem(certificate), privateFile: false);
        }

        return new BuiltInTimeStampAuthority(directory, clock, options, key, certificate);
    }

    /// <inheritdoc />
    public TimeStampResult StampDigest(ReadOnlySpan<byte> sha256Digest)
    {
        if (sha256Digest.Length != 32)
        {
            throw new ArgumentException("a SHA-256 digest is 32 bytes", nameof(sha256Digest));
        }

        var generator = new TimeStampRequestGenerator();
        generator.SetCertReq(true);
        var nonce = new BigInteger(1, RandomNumberGenerator.GetBytes(8));
        var request = generator.Generate(NistObjectIdentifiers.IdSha256, sha256Digest.ToArray(), nonce);
        var response = new TimeStampResponse(Respond(request.GetEncoded()));
        return TimeStampResponses.Accept(Description, request, response, _certificate);
    }

    /// <summary>
    /// Answers a DER <c>TimeStampReq</c> with a DER <c>TimeStampResp</c>, as an RFC 3161 server
    /// would: granted for SHA-256/384/512 imprints under Recorder's policy (or no policy asked),
    /// rejected with the RFC's failure info otherwise.
    /// </summary>
    public byte[] Respond(ReadOnlySpan<byte> requestDer)
    {
        TimeStampRequest request;
        try
        {
            request = new TimeStampRequest(requestDer.ToArray());
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException or Asn1Exception)
        {
            var failed = new TimeStampResponseGenerator(CreateTokenGenerator(), AcceptedAlgorithms)
                .GenerateFailResponse(Org.BouncyCastle.Asn1.Cmp.PkiStatus.Rejection, Org.BouncyCastle.Asn1.Cmp.PkiFailureInfo.BadDataFormat, "malformed TimeStampReq");
            return failed.GetEncoded();
        }

        var responder = new TimeStampResponseGenerator(CreateTokenGenerator(), AcceptedAlgorithms, [RecorderOids.BuiltInTimeStampPolicyV1]);
        var genTime = _clock.GetUtcNow().UtcDateTime;
        var response = responder.Generate(request, NextSerial(), genTime);
        return response.GetEncoded();
    }

    private TimeStampTokenGenerator CreateTokenGenerator()
    {
        // The certificate is bound to the token by ESS signing-certificate-v2 (RFC 5035 §3), whose
        // ESSCertIDv2 hashes the certificate with SHA-256: BouncyCastle's convenience constructor
        // passes a SHA-1 digest factory and so emits the v1 attribute (RFC 2634, SHA-1 only), which
        // RFC 5816 updates RFC 3161 to replace. Given a SHA-256 digest factory it emits v2, with
        // hashAlgorithm left out because SHA-256 is its DEFAULT (DER omits default values), and the
        // issuer and serial number so a verifier can match the certificate without a hash search.
        var signerInfo = new SignerInfoGeneratorBuilder().Build(new Asn1SignatureFactory("SHA256WITHECDSA", _key), _certificate);
        var generator = new TimeStampTokenGenerator(signerInfo, Asn1DigestFactory.Get(NistObjectIdentifiers.IdSha256),
            new DerObjectIdentifier(RecorderOids.BuiltInTimeStampPolicyV1), isIssuerSerialIncluded: true)
        {
            Resolution = Resolution.R_MILLISECONDS,
        };
        generator.SetCertificates(CollectionUtilities.CreateStore(new[] { _certificate }));
        generator.SetTsa(new GeneralName(_certificate.SubjectDN));
        var accuracy = StatedAccuracy();
        if (accuracy is { } micros)
        {
            // RFC 3161 §2.4.2: seconds, millis (1..999) and micros (1..999); zero parts are omitted.
            var seconds = micros / 1_000_000;
            var millis = micros / 1000 % 1000;
            var rest = micros % 1000;
            if (seconds > 0)
            {
                generator.SetAccuracySeconds(checked((int)seconds));
            }

            if (millis > 0)
            {
                generator.SetAccuracyMillis(checked((int)millis));
            }

            if (rest > 0)
            {
                generator.SetAccuracyMicros(checked((int)rest));
            }
        }

        return generator;
    }

    private long? StatedAccuracy()
    {
        if (_options.Accuracy is { } configured)
        {
            return Math.Max(1, (long)Math.Ceiling(configured.TotalMicroseconds));
        }

        var clock = HostClock.Describe(_clock);
        return clock.Synchronization == ClockInfo.Synchronized && clock.MaxErrorMicroseconds is > 0 and < 86_400_000_000
            ? clock.MaxErrorMicroseconds
            : null;
    }

    private BigInteger NextSerial()
    {
        // The counter file is its own lock: FileShare.None takes an exclusive flock on Unix, so two
        // processes never hand out the same number. It is fsynced before the number is used.
        var path = Path.Combine(_directory, SerialFileName);
        using var file = OpenExclusive(path, FileMode.OpenOrCreate);
        var buffer = new byte[64];
        var length = file.Read(buffer);
        var text = Encoding.ASCII.GetString(buffer, 0, length).Trim();
        var last = BigInteger.Zero;
        if (text.Length > 0)
        {
            if (!text.All(char.IsAsciiDigit))
            {
                throw new TimeStampException($"{path}: serial counter is not a decimal number ('{text}')");
            }

            last = new BigInteger(text);
        }

        var next = last.Add(BigInteger.One);
        var bytes = Encoding.ASCII.GetBytes(next.ToString() + "\n");
        file.Position = 0;
        file.Write(bytes);
        file.SetLength(bytes.Length);
        file.Flush(flushToDisk: true);
        return next;
    }

    private static ECPrivateKeyParameters GenerateKey()
    {
        var generator = new ECKeyPairGenerator("EC");
        generator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, new SecureRandom()));
        return (ECPrivateKeyParameters)generator.GenerateKeyPair().Private;
    }

    private static ECPublicKeyParameters PublicOf(ECPrivateKeyParameters key)
    {
        var q = key.Parameters.G.Multiply(key.D).Normalize();
        return new ECPublicKeyParameters(key.AlgorithmName, q, key.PublicKeyParamSet);
    }

    private static BcCertificate CreateCertificate(ECPrivateKeyParameters key, TimeProvider clock, BuiltInTimeStampAuthorityOptions options)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var publicKey = PublicOf(key);
        var name = new X509Name(
            new List<DerObjectIdentifier> { X509Name.CN, X509Name.O },
            new List<string> { options.CommonName, "Recorder" });
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(new BigInteger(1, RandomNumberGenerator.GetBytes(16)));
        generator.SetIssuerDN(name);
        generator.SetSubjectDN(name);

        // A day of slack before creation: processes on the same host may read the clock a little
        // apart, and a token whose genTime precedes notBefore would not verify.
        generator.SetNotBefore(now.AddDays(-1));
        generator.SetNotAfter(now.Add(options.CertificateValidity));
        generator.SetPublicKey(publicKey);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature));

        // RFC 3161 §2.3: the TSA certificate MUST have this one extended key usage, marked critical.
        generator.AddExtension(X509Extensions.ExtendedKeyUsage, true, new ExtendedKeyUsage(KeyPurposeID.id_kp_timeStamping));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(publicKey));
        return generator.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", key, new SecureRandom()));
    }

    private static ECPrivateKeyParameters LoadKey(string path)
    {
        var (label, der) = Ed25519Key.DecodePem(File.ReadAllText(path));
        if (label != "PRIVATE KEY")
        {
            throw new TimeStampException($"{path}: expected a PKCS#8 'PRIVATE KEY' PEM block, found '{label}'");
        }

        return PrivateKeyFactory.CreateKey(der) as ECPrivateKeyParameters
            ?? throw new TimeStampException($"{path}: not an elliptic-curve private key");
    }

    private static BcCertificate LoadCertificate(string path, ECPrivateKeyParameters key)
    {
        var (label, der) = Ed25519Key.DecodePem(File.ReadAllText(path));
        if (label != "CERTIFICATE")
        {
            throw new TimeStampException($"{path}: expected a 'CERTIFICATE' PEM block, found '{label}'");
        }

        var certificate = new X509CertificateParser().ReadCertificate(der);
        if (!certificate.GetPublicKey().Equals(PublicOf(key)))
        {
            throw new TimeStampException($"{path}: the certificate's public key does not belong to {KeyFileName}");
        }

        var eku = certificate.GetExtendedKeyUsage();
        if (eku is null || !eku.Contains(KeyPurposeID.id_kp_timeStamping) || !certificate.GetCriticalExtensionOids().Contains(X509Extensions.ExtendedKeyUsage.Id))
        {
            throw new TimeStampException($"{path}: the certificate lacks the critical extended key usage id-kp-timeStamping");
        }

        return certificate;
    }

    private static IDisposable ExclusiveLock(string directory) => OpenExclusive(Path.Combine(directory, LockFileName), FileMode.OpenOrCreate);

    private static FileStream OpenExclusive(string path, FileMode mode)
    {
        // Another process holding the lock makes the open fail with a sharing violation (on Unix .NET
        // reports flock's EWOULDBLOCK, 11 on Linux and 35 on macOS, as the HResult): wait and retry.
        var delay = 1;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, mode, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (attempt < 400 && e.HResult is unchecked((int)0x80070020) or 11 or 35)
            {
                Thread.Sleep(delay);
                delay = Math.Min(delay * 2, 50);
            }
        }
    }

    private static void WriteDurably(string path, string text, bool privateFile)
    {
        var temporary = path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = privateFile ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(Encoding.ASCII.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }

        if (privateFile && !OperatingSystem.IsWindows())
        {
            // UnixCreateMode is filtered by the umask; set the mode explicitly as well.
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: false);
    }
}
