using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Recorder.Synthesis.Randomness;

namespace Recorder.Synthesis.Content;

/// <summary>
/// A self-signed X.509 certificate whose DER is a function of the seed alone: the RSA key's primes
/// come from a <see cref="SeededRandom"/> (System.Security.Cryptography cannot seed key generation),
/// the serial number and validity are given, and RSASSA-PKCS1-v1_5 signatures are deterministic
/// (RFC 8017 §8.2), so the same seed gives the same certificate bytes and SHA-256 fingerprint.
/// The key is for synthetic traffic only: anyone with the seed has it.
/// </summary>
internal static class DeterministicCertificate
{
    private const int PrimeBits = 1024;
    private static readonly BigInteger PublicExponent = 65537;

    public static byte[] Create(ulong seed, string hostName, DateTimeOffset notBefore)
    {
        var random = new SeededRandom(SeededRandom.Mix(seed ^ 0xCE27_1F1C_A7E0_0001UL));
        using var rsa = RSA.Create();
        rsa.ImportParameters(Key(random));
        var request = new CertificateRequest($"CN={hostName}, O=Recorder synthetic traffic", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var serial = new byte[16];
        random.NextBytes(serial);
        serial[0] &= 0x7F; // a positive INTEGER (RFC 5280 §4.1.2.2)
        serial[0] |= 0x01;
        using var certificate = request.Create(request.SubjectName, X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
            notBefore, notBefore.AddDays(365), serial);
        return certificate.RawData;
    }

    private static RSAParameters Key(SeededRandom random)
    {
        while (true)
        {
            var p = Prime(random);
            var q = Prime(random);
            if (p == q)
            {
                continue;
            }

            if (p < q)
            {
                (p, q) = (q, p);
            }

            var phi = (p - 1) * (q - 1);
            if (BigInteger.GreatestCommonDivisor(PublicExponent, phi) != 1)
            {
                continue;
            }

            var n = p * q;
            var d = Inverse(PublicExponent, phi);
            var half = PrimeBits / 8;
            return new RSAParameters
            {
                Modulus = Bytes(n, 2 * half),
                Exponent = Bytes(PublicExponent, 3),
                D = Bytes(d, 2 * half),
                P = Bytes(p, half),
                Q = Bytes(q, half),
                DP = Bytes(d % (p - 1), half),
                DQ = Bytes(d % (q - 1), half),
                InverseQ = Bytes(Inverse(q, p), half),
            };
        }
    }

    /// <summary>A random prime of exactly <see cref="PrimeBits"/> bits whose top two bits are set (so the modulus has all its bits).</summary>
    private static BigInteger Prime(SeededRandom random)
    {
        var bytes = new byte[PrimeBits / 8];
        while (true)
        {
            random.NextBytes(bytes);
            bytes[0] |= 0xC0;
            bytes[^1] |= 0x01;
            var candidate = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
            if (IsProbablePrime(candidate, random))
            {
                return candidate;
            }
        }
    }

    /// <summary>Trial division by small primes, then 40 Miller-Rabin rounds (error below 2^-80).</summary>
    private static bool IsProbablePrime(BigInteger n, SeededRandom random)
    {
        for (var small = 3; small < 2000; small += 2)
        {
            if (n % small == 0)
            {
                return false;
            }
        }

        var d = n - 1;
        var r = 0;
        while (d.IsEven)
        {
            d >>= 1;
            r++;
        }

        var witness = new byte[PrimeBits / 8];
        for (var round = 0; round < 40; round++)
        {
            random.NextBytes(witness);
            var a = new BigInteger(witness, isUnsigned: true, isBigEndian: true) % (n - 3) + 2;
            var x = BigInteger.ModPow(a, d, n);
            if (x.IsOne || x == n - 1)
            {
                continue;
            }

            var composite = true;
            for (var i = 1; i < r && composite; i++)
            {
                x = BigInteger.ModPow(x, 2, n);
                composite = x != n - 1;
            }

            if (composite)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The inverse of <paramref name="a"/> modulo <paramref name="m"/> (extended Euclid); they must be coprime.</summary>
    private static BigInteger Inverse(BigInteger a, BigInteger m)
    {
        BigInteger oldR = a % m, r = m, oldS = 1, s = 0;
        while (!r.IsZero)
        {
            var quotient = oldR / r;
            (oldR, r) = (r, oldR - (quotient * r));
            (oldS, s) = (s, oldS - (quotient * s));
        }

        return ((oldS % m) + m) % m;
    }

    private static byte[] Bytes(BigInteger value, int length)
    {
        var raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[length];
        raw.CopyTo(padded, length - raw.Length);
        return padded;
    }
}
