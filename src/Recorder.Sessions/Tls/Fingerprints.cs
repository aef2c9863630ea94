using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Recorder.Sessions.Tls;

/// <summary>
/// JA3/JA3S (Salesforce, https://github.com/salesforce/ja3) and JA4/JA4S (FoxIO,
/// https://github.com/FoxIO-LLC/ja4/blob/main/technical_details/JA4.md). Computed once per hello.
/// </summary>
internal static class Fingerprints
{
    private const string EmptyHash = "000000000000";

    /// <summary>JA3: decimal values, '-' within a field, ',' between fields; GREASE left out of ciphers, extensions and groups.</summary>
    public static string Ja3Full(ushort version, ReadOnlySpan<ushort> ciphers, ReadOnlySpan<ushort> extensions, ReadOnlySpan<ushort> groups,
        ReadOnlySpan<byte> pointFormats)
    {
        var text = new StringBuilder(256);
        text.Append(version.ToString(CultureInfo.InvariantCulture)).Append(',');
        AppendDecimal(text, ciphers, skipGrease: true);
        text.Append(',');
        AppendDecimal(text, extensions, skipGrease: true);
        text.Append(',');
        AppendDecimal(text, groups, skipGrease: true);
        text.Append(',');
        for (var i = 0; i < pointFormats.Length; i++)
        {
            if (i > 0)
            {
                text.Append('-');
            }

            text.Append(pointFormats[i].ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>JA3S: <c>version,cipher,extensions</c>, extensions as sent (Salesforce's ja3s.py keeps GREASE).</summary>
    public static string Ja3SFull(ushort version, ushort cipher, ReadOnlySpan<ushort> extensions)
    {
        var text = new StringBuilder(64);
        text.Append(version.ToString(CultureInfo.InvariantCulture)).Append(',').Append(cipher.ToString(CultureInfo.InvariantCulture)).Append(',');
        AppendDecimal(text, extensions, skipGrease: false);
        return text.ToString();
    }

    public static string Md5Hex(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(text)));

    /// <summary>The four JA4 forms: (JA4, JA4_r, JA4_o, JA4_ro).</summary>
    public static (string Ja4, string Raw, string Original, string RawOriginal) Ja4(TlsTransport transport, ushort legacyVersion,
        ReadOnlySpan<ushort> supportedVersions, ReadOnlySpan<ushort> ciphers, ReadOnlySpan<ushort> extensions, ReadOnlySpan<byte> firstAlpn,
        bool hasAlpn, ReadOnlySpan<ushort> signatureAlgorithms)
    {
        var cipherList = WithoutGrease(ciphers);
        var extensionList = WithoutGrease(extensions);
        var signatures = WithoutGrease(signatureAlgorithms);
        var hasSni = extensionList.Contains(TlsValues.ExtensionServerName);

        var a = new StringBuilder(10);
        a.Append(transport == TlsTransport.Quic ? 'q' : 't');
        a.Append(VersionCode(HighestVersion(legacyVersion, extensionList.Contains(TlsValues.ExtensionSupportedVersions), supportedVersions)));
        a.Append(hasSni ? 'd' : 'i');
        a.Append(Math.Min(cipherList.Count, 99).ToString("D2", CultureInfo.InvariantCulture));
        a.Append(Math.Min(extensionList.Count, 99).ToString("D2", CultureInfo.InvariantCulture));
        a.Append(AlpnCode(hasAlpn, firstAlpn));
        var prefix = a.ToString();

        var originalCiphers = HexList(cipherList);
        var originalExtensions = HexList(extensionList);
        var signatureText = HexList(signatures);

        var sortedCiphers = new List<ushort>(cipherList);
        sortedCiphers.Sort();
        var sortedExtensions = extensionList.FindAll(e => e != TlsValues.ExtensionServerName && e != TlsValues.ExtensionAlpn);
        sortedExtensions.Sort();
        var sortedCipherText = HexList(sortedCiphers);
        var sortedExtensionText = HexList(sortedExtensions);

        var sortedC = WithSignatures(sortedExtensionText, signatureText);
        var originalC = WithSignatures(originalExtensions, signatureText);
        return (
            $"{prefix}_{Hash12(sortedCipherText)}_{Hash12(sortedC)}",
            $"{prefix}_{sortedCipherText}_{sortedC}",
            $"{prefix}_{Hash12(originalCiphers)}_{Hash12(originalC)}",
            $"{prefix}_{originalCiphers}_{originalC}");
    }

    /// <summary>JA4S and JA4S_r: <c>{t|q}{version}{extension count}{alpn}_{cipher}_{extensions in order}</c>.</summary>
    public static (string Ja4S, string Raw) Ja4S(TlsTransport transport, ushort selectedVersion, ushort cipher, ReadOnlySpan<ushort> extensions,
        ReadOnlySpan<byte> alpn, bool hasAlpn)
    {
        var list = new List<ushort>(extensions.Length);
        foreach (var extension in extensions)
        {
            list.Add(extension);
        }

        var prefix = string.Concat(
            transport == TlsTransport.Quic ? "q" : "t",
            VersionCode(selectedVersion),
            Math.Min(list.Count, 99).ToString("D2", CultureInfo.InvariantCulture),
            AlpnCode(hasAlpn, alpn),
            "_",
            cipher.ToString("x4", CultureInfo.InvariantCulture));
        var text = HexList(list);
        return ($"{prefix}_{Hash12(text)}", $"{prefix}_{text}");
    }

    /// <summary>JA4's two-character version (FoxIO JA4.md "TLS and DTLS Version"); unknown is "00".</summary>
    public static string VersionCode(ushort version) => version switch
    {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0002 => "s2",
        0xfeff => "d1",
        0xfefd => "d2",
        0xfefc => "d3",
        _ => "00",
    };

    /// <summary>
    /// First and last character of the first ALPN value; "00" when absent or empty; when the first or
    /// last byte is not ASCII alphanumeric, the first and last character of the value's hex instead
    /// (FoxIO JA4.md "ALPN Extension Value").
    /// </summary>
    public static string AlpnCode(bool hasAlpn, ReadOnlySpan<byte> first)
    {
        if (!hasAlpn || first.IsEmpty)
        {
            return "00";
        }

        var head = first[0];
        var tail = first[^1];
        if (IsAsciiAlphanumeric(head) && IsAsciiAlphanumeric(tail))
        {
            return string.Concat((char)head, (char)tail);
        }

        const string digits = "0123456789abcdef";
        return string.Concat(digits[head >> 4], digits[tail & 0xf]);
    }

    private static bool IsAsciiAlphanumeric(byte b) => b is (>= 0x30 and <= 0x39) or (>= 0x41 and <= 0x5a) or (>= 0x61 and <= 0x7a);

    private static ushort HighestVersion(ushort legacyVersion, bool hasSupportedVersions, ReadOnlySpan<ushort> supportedVersions)
    {
        if (!hasSupportedVersions)
        {
            return legacyVersion;
        }

        ushort highest = 0;
        foreach (var version in supportedVersions)
        {
            if (!TlsValues.IsGrease(version) && version > highest)
            {
                highest = version;
            }
        }

        return highest;
    }

    private static string WithSignatures(string extensions, string signatures) =>
        signatures.Length == 0 ? extensions : $"{extensions}_{signatures}";

    private static string Hash12(string text) =>
        text.Length == 0 ? EmptyHash : Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(text)))[..12];

    private static List<ushort> WithoutGrease(ReadOnlySpan<ushort> values)
    {
        var list = new List<ushort>(values.Length);
        foreach (var value in values)
        {
            if (!TlsValues.IsGrease(value))
            {
                list.Add(value);
            }
        }

        return list;
    }

    private static string HexList(List<ushort> values)
    {
        var text = new StringBuilder(values.Count * 5);
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(values[i].ToString("x4", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private static void AppendDecimal(StringBuilder text, ReadOnlySpan<ushort> values, bool skipGrease)
    {
        var first = true;
        foreach (var value in values)
        {
            if (skipGrease && TlsValues.IsGrease(value))
            {
                continue;
            }

            if (!first)
            {
                text.Append('-');
            }

            text.Append(value.ToString(CultureInfo.InvariantCulture));
            first = false;
        }
    }
}
