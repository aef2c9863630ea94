using System.Text;

namespace Recorder.Sessions.Tls;

/// <summary>
/// Reads ClientHello and ServerHello bodies (the handshake message without its 4-byte header). Never
/// throws: a fault ends the read and is named in the record's <c>Malformed</c>.
/// </summary>
internal static class HelloParser
{
    public static TlsClientHello ParseClientHello(ReadOnlySpan<byte> body, TlsTransport transport)
    {
        var reader = new SpanReader(body);
        string? malformed = null;
        var ciphers = new List<ushort>();
        var extensions = new List<ushort>();
        var alpn = new List<string>();
        var versions = new List<ushort>();
        var groups = new List<ushort>();
        var pointFormats = new List<byte>();
        var signatures = new List<ushort>();
        string? serverName = null;
        byte[] firstAlpn = [];
        var hasAlpn = false;
        var sessionIdLength = 0;

        string? clientRandom = null;
        if (!reader.TryU16(out var legacyVersion) || !reader.TryBytes(32, out var random))
        {
            malformed = "ClientHello shorter than version and random";
        }
        else if (!reader.TryVector8(out var sessionId))
        {
            clientRandom = Convert.ToHexStringLower(random);
            malformed = "session id runs past the message";
        }
        else if (!reader.TryVector16(out var cipherBytes) || (cipherBytes.Length & 1) != 0)
        {
            clientRandom = Convert.ToHexStringLower(random);
            sessionIdLength = sessionId.Length;
            malformed = "cipher suite list runs past the message or has odd length";
        }
        else
        {
            clientRandom = Convert.ToHexStringLower(random);
            sessionIdLength = sessionId.Length;
            ReadU16List(cipherBytes, ciphers);
            if (!reader.TryVector8(out _))
            {
                malformed = "compression methods run past the message";
            }
            else if (!reader.IsEmpty)
            {
                malformed = ReadClientExtensions(ref reader, extensions, ref serverName, alpn, ref firstAlpn, ref hasAlpn, versions, groups,
                    pointFormats, signatures);
            }
        }

        var ja3 = Fingerprints.Ja3Full(legacyVersion, AsSpan(ciphers), AsSpan(extensions), AsSpan(groups), AsSpan(pointFormats));
        var ja4 = Fingerprints.Ja4(transport, legacyVersion, AsSpan(versions), AsSpan(ciphers), AsSpan(extensions), firstAlpn, hasAlpn,
            AsSpan(signatures));
        return new TlsClientHello
        {
            Transport = transport,
            LegacyVersion = legacyVersion,
            Random = clientRandom,
            SessionIdLength = sessionIdLength,
            CipherSuites = ciphers,
            Extensions = extensions,
            ServerName = serverName,
            Alpn = alpn,
            SupportedVersions = versions,
            SupportedGroups = groups,
            EcPointFormats = pointFormats,
            SignatureAlgorithms = signatures,
            HasGrease = ciphers.Exists(TlsValues.IsGrease) || extensions.Exists(TlsValues.IsGrease) || groups.Exists(TlsValues.IsGrease)
                || versions.Exists(TlsValues.IsGrease) || signatures.Exists(TlsValues.IsGrease),
            Malformed = malformed,
            Ja3Full = ja3,
            Ja3 = Fingerprints.Md5Hex(ja3),
            Ja4 = ja4.Ja4,
            Ja4Raw = ja4.Raw,
            Ja4Original = ja4.Original,
            Ja4RawOriginal = ja4.RawOriginal,
        };
    }

    public static TlsServerHello ParseServerHello(ReadOnlySpan<byte> body, TlsTransport transport)
    {
        var reader = new SpanReader(body);
        string? malformed = null;
        var extensions = new List<ushort>();
        ushort cipher = 0;
        ushort? selected = null;
        string? alpn = null;
        byte[] alpnBytes = [];
        var hasAlpn = false;
        var sessionIdLength = 0;
        var retry = false;

        if (!reader.TryU16(out var legacyVersion) || !reader.TryBytes(32, out var random))
        {
            malformed = "ServerHello shorter than version and random";
        }
        else
        {
            retry = random.SequenceEqual(TlsValues.HelloRetryRequestRandom);
            if (!reader.TryVector8(out var sessionId))
            {
                malformed = "session id runs past the message";
            }
            else if (!reader.TryU16(out cipher) || !reader.TryU8(out _))
            {
                sessionIdLength = sessionId.Length;
                malformed = "cipher suite or compression method missing";
            }
            else
            {
                sessionIdLength = sessionId.Length;
                if (!reader.IsEmpty)
                {
                    malformed = ReadServerExtensions(ref reader, extensions, ref selected, ref alpn, ref alpnBytes, ref hasAlpn);
                }
            }
        }

        var version = selected ?? legacyVersion;
        var ja3s = Fingerprints.Ja3SFull(legacyVersion, cipher, AsSpan(extensions));
        var ja4s = Fingerprints.Ja4S(transport, version, cipher, AsSpan(extensions), alpnBytes, hasAlpn);
        return new TlsServerHello
        {
            Transport = transport,
            LegacyVersion = legacyVersion,
            SelectedVersion = version,
            CipherSuite = cipher,
            SessionIdLength = sessionIdLength,
            Extensions = extensions,
            Alpn = alpn,
            IsHelloRetryRequest = retry,
            Malformed = malformed,
            Ja3SFull = ja3s,
            Ja3S = Fingerprints.Md5Hex(ja3s),
            Ja4S = ja4s.Ja4S,
            Ja4SRaw = ja4s.Raw,
        };
    }

    private static string? ReadClientExtensions(ref SpanReader reader, List<ushort> extensions, ref string? serverName, List<string> alpn,
        ref byte[] firstAlpn, ref bool hasAlpn, List<ushort> versions, List<ushort> groups, List<byte> pointFormats, List<ushort> signatures)
    {
        if (!reader.TryVector16(out var block))
        {
            return "extensions length runs past the message";
        }

        string? malformed = reader.IsEmpty ? null : "bytes after the extensions";
        var list = new SpanReader(block);
        while (!list.IsEmpty)
        {
            if (!list.TryU16(out var type) || !list.TryVector16(out var data))
            {
                return "an extension runs past the extensions block";
            }

            extensions.Add(type);
            var fault = type switch
            {
                TlsValues.ExtensionServerName => ReadServerName(data, ref serverName),
                TlsValues.ExtensionAlpn => ReadAlpn(data, alpn, ref firstAlpn, ref hasAlpn),
                TlsValues.ExtensionSupportedVersions => ReadU16Vector(data, versions, wideLength: false),
                TlsValues.ExtensionSupportedGroups => ReadU16Vector(data, groups, wideLength: true),
                TlsValues.ExtensionEcPointFormats => ReadPointFormats(data, pointFormats),
                TlsValues.ExtensionSignatureAlgorithms => ReadU16Vector(data, signatures, wideLength: true),
                _ => null,
            };
            malformed ??= fault is null ? null : $"extension 0x{type:x4}: {fault}";
        }

        return malformed;
    }

    private static string? ReadServerExtensions(ref SpanReader reader, List<ushort> extensions, ref ushort? selected, ref string? alpn,
        ref byte[] alpnBytes, ref bool hasAlpn)
    {
        if (!reader.TryVector16(out var block))
        {
            return "extensions length runs past the message";
        }

        string? malformed = reader.IsEmpty ? null : "bytes after the extensions";
        var list = new SpanReader(block);
        while (!list.IsEmpty)
        {
            if (!list.TryU16(out var type) || !list.TryVector16(out var data))
            {
                return "an extension runs past the extensions block";
            }

            extensions.Add(type);
            if (type == TlsValues.ExtensionSupportedVersions)
            {
                var inner = new SpanReader(data);
                if (inner.TryU16(out var version) && inner.IsEmpty)
                {
                    selected = version;
                }
                else
                {
                    malformed ??= "extension 0x002b: not a single version";
                }
            }
            else if (type == TlsValues.ExtensionAlpn)
            {
                var names = new List<string>(1);
                var fault = ReadAlpn(data, names, ref alpnBytes, ref hasAlpn);
                alpn = names.Count > 0 ? names[0] : null;
                malformed ??= fault is null ? null : $"extension 0x0010: {fault}";
            }
        }

        return malformed;
    }

    private static string? ReadServerName(ReadOnlySpan<byte> data, ref string? serverName)
    {
        var reader = new SpanReader(data);
        if (!reader.TryVector16(out var list))
        {
            return "server name list runs past the extension";
        }

        var names = new SpanReader(list);
        while (!names.IsEmpty)
        {
            if (!names.TryU8(out var nameType) || !names.TryVector16(out var name))
            {
                return "a server name runs past the list";
            }

            if (nameType == 0 && serverName is null)
            {
                serverName = Encoding.UTF8.GetString(name);
            }
        }

        return null;
    }

    private static string? ReadAlpn(ReadOnlySpan<byte> data, List<string> names, ref byte[] first, ref bool hasAlpn)
    {
        var reader = new SpanReader(data);
        if (!reader.TryVector16(out var list))
        {
            return "protocol list runs past the extension";
        }

        var protocols = new SpanReader(list);
        while (!protocols.IsEmpty)
        {
            if (!protocols.TryVector8(out var name))
            {
                return "a protocol name runs past the list";
            }

            if (!hasAlpn)
            {
                hasAlpn = true;
                first = name.ToArray();
            }

            names.Add(Encoding.UTF8.GetString(name));
        }

        return null;
    }

    /// <summary>A list of 16-bit values behind a one-byte (<paramref name="wideLength"/> false) or two-byte length.</summary>
    private static string? ReadU16Vector(ReadOnlySpan<byte> data, List<ushort> values, bool wideLength)
    {
        var reader = new SpanReader(data);
        ReadOnlySpan<byte> list;
        if (!(wideLength ? reader.TryVector16(out list) : reader.TryVector8(out list)) || (list.Length & 1) != 0)
        {
            return "list runs past the extension or has odd length";
        }

        ReadU16List(list, values);
        return null;
    }

    private static string? ReadPointFormats(ReadOnlySpan<byte> data, List<byte> values)
    {
        var reader = new SpanReader(data);
        if (!reader.TryVector8(out var list))
        {
            return "list runs past the extension";
        }

        foreach (var value in list)
        {
            values.Add(value);
        }

        return null;
    }

    private static void ReadU16List(ReadOnlySpan<byte> bytes, List<ushort> values)
    {
        for (var i = 0; i + 1 < bytes.Length; i += 2)
        {
            values.Add((ushort)((bytes[i] << 8) | bytes[i + 1]));
        }
    }

    private static ReadOnlySpan<T> AsSpan<T>(List<T> list) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);
}
