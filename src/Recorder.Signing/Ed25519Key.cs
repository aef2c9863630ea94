using System.Security.Cryptography;
using System.Text;

using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Recorder.Core.Hashing;
using Recorder.Core.Store;

namespace Recorder.Signing;

/// <summary>
/// An Ed25519 key (RFC 8032) kept as PEM: the private part as PKCS#8 (<c>PRIVATE KEY</c>), the public
/// part as SubjectPublicKeyInfo (<c>PUBLIC KEY</c>), the forms <c>openssl pkeyutl -verify -rawin</c>
/// reads. A key loaded from a public PEM alone can verify but not sign.
/// </summary>
public sealed class Ed25519Key : ISigner
{
    private readonly Ed25519PrivateKeyParameters? _private;
    private readonly Ed25519PublicKeyParameters _public;

    private Ed25519Key(Ed25519PrivateKeyParameters? privateKey, Ed25519PublicKeyParameters publicKey)
    {
        _private = privateKey;
        _public = publicKey;
        PublicKeyDer = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(publicKey).GetDerEncoded();
        Fingerprint = Hex.Lower(SHA256.HashData(PublicKeyDer));
    }

    /// <inheritdoc />
    public string Algorithm => "Ed25519";

    /// <inheritdoc />
    public byte[] PublicKeyDer { get; }

    /// <inheritdoc />
    public string Fingerprint { get; }

    /// <summary>True when this key can sign.</summary>
    public bool HasPrivateKey => _private is not null;

    /// <summary>Makes a new key from the system's cryptographic random generator.</summary>
    public static Ed25519Key Generate()
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        return new Ed25519Key((Ed25519PrivateKeyParameters)pair.Private, (Ed25519PublicKeyParameters)pair.Public);
    }

    /// <summary>Loads a key from PEM: a private key (PKCS#8) or a public key (SubjectPublicKeyInfo).</summary>
    public static Ed25519Key FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var (label, der) = DecodePem(pem);
        switch (label)
        {
            case "PRIVATE KEY":
                var privateKey = PrivateKeyFactory.CreateKey(der) as Ed25519PrivateKeyParameters
                    ?? throw new CryptographicException("PEM private key is not Ed25519");
                return new Ed25519Key(privateKey, privateKey.GeneratePublicKey());
            case "PUBLIC KEY":
                var publicKey = PublicKeyFactory.CreateKey(der) as Ed25519PublicKeyParameters
                    ?? throw new CryptographicException("PEM public key is not Ed25519");
                return new Ed25519Key(null, publicKey);
            default:
                throw new CryptographicException($"unexpected PEM label '{label}' (expected PRIVATE KEY or PUBLIC KEY)");
        }
    }

    /// <summary>Loads a key from a PEM file.</summary>
    public static Ed25519Key Load(string path) => FromPem(File.ReadAllText(path));

    /// <summary>The public key as PEM (SubjectPublicKeyInfo).</summary>
    public string PublicKeyPem() => EncodePem("PUBLIC KEY", PublicKeyDer);

    /// <summary>The private key as PEM (PKCS#8); keep it readable by its owner only.</summary>
    public string PrivateKeyPem()
    {
        if (_private is null)
        {
            throw new InvalidOperationException("this key has no private part");
        }

        return EncodePem("PRIVATE KEY", PrivateKeyInfoFactory.CreatePrivateKeyInfo(_private).GetDerEncoded());
    }

    /// <inheritdoc />
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        if (_private is null)
        {
            throw new InvalidOperationException("this key has no private part: it can verify, not sign");
        }

        var signer = new Ed25519Signer();
        signer.Init(true, _private);
        signer.BlockUpdate(message);
        return signer.GenerateSignature();
    }

    /// <inheritdoc />
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != 64)
        {
            return false;
        }

        var verifier = new Ed25519Signer();
        verifier.Init(false, _public);
        verifier.BlockUpdate(message);
        return verifier.VerifySignature(signature.ToArray());
    }

    /// <summary>Encodes DER bytes as PEM with 64-character lines.</summary>
    public static string EncodePem(string label, ReadOnlySpan<byte> der)
    {
        var base64 = Convert.ToBase64String(der);
        var builder = new StringBuilder();
        builder.Append("-----BEGIN ").Append(label).Append("-----\n");
        for (var i = 0; i < base64.Length; i += 64)
        {
            builder.Append(base64, i, Math.Min(64, base64.Length - i)).Append('\n');
        }

        builder.Append("-----END ").Append(label).Append("-----\n");
        return builder.ToString();
    }

    /// <summary>Decodes the first PEM block of <paramref name="pem"/>.</summary>
    public static (string Label, byte[] Der) DecodePem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        const string begin = "-----BEGIN ";
        var start = pem.IndexOf(begin, StringComparison.Ordinal);
        if (start < 0)
        {
            throw new CryptographicException("no PEM block found");
        }

        var labelEnd = pem.IndexOf("-----", start + begin.Length, StringComparison.Ordinal);
        var label = pem[(start + begin.Length)..labelEnd];
        var end = pem.IndexOf("-----END " + label + "-----", labelEnd, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new CryptographicException($"PEM block '{label}' has no end line");
        }

        var body = pem[(labelEnd + 5)..end].Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal).Trim();
        try
        {
            return (label, Convert.FromBase64String(body));
        }
        catch (FormatException e)
        {
            throw new CryptographicException($"PEM block '{label}' is not valid base64", e);
        }
    }
}
