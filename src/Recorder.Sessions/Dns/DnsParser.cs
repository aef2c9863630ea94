using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace Recorder.Sessions.Dns;

/// <summary>
/// Parses DNS messages (RFC 1035 §4) from hostile bytes without throwing. Names follow RFC 1035
/// §4.1.4 compression with protection: at most <see cref="MaxPointers"/> pointers per name and
/// 255 wire octets, so a pointer loop ends as a malformed name. Names are printed as tshark 4.0
/// prints <c>dns.qry.name</c> (checked against tshark 4.0.17): labels joined by dots, the root as
/// <c>&lt;Root&gt;</c>, printable ASCII as is (a dot or backslash inside a label is not escaped),
/// control characters as a backslash and three octal digits (<c>\001</c>), and octets from 0x80
/// decoded as UTF-8 with U+FFFD for invalid sequences.
/// </summary>
public static class DnsParser
{
    /// <summary>The application name of DNS sessions.</summary>
    public const string ApplicationName = "dns";

    /// <summary>Compression pointers followed in one name before it is declared a loop.</summary>
    public const int MaxPointers = 64;

    /// <summary>Records parsed per section at most; the rest are reported as malformed.</summary>
    public const int MaxRecordsPerSection = 512;

    private const int HeaderLength = 12;

    /// <summary>Header sanity and a parseable question: what identifies a datagram or TCP message as DNS.</summary>
    public static bool LooksLikeDns(ReadOnlySpan<byte> message)
    {
        if (message.Length < HeaderLength + 5)
        {
            return false;
        }

        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        var opcode = (flags >> 11) & 0xF;
        var z = (flags >> 6) & 0x1;
        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var authorities = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        var additionals = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (opcode is 3 or > 6 || z != 0 || questions != 1)
        {
            return false;
        }

        var offset = HeaderLength;
        if (!TrySkipName(message, ref offset) || offset + 4 > message.Length)
        {
            return false;
        }

        var qclass = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]) & 0x7FFF;
        if (qclass is not (1 or 3 or 4 or 254 or 255))
        {
            return false;
        }

        offset += 4;
        // Each record takes at least 11 octets (a root name, type, class, TTL, RDLENGTH).
        return (long)(answers + authorities + additionals) * 11 <= message.Length - offset;
    }

    /// <summary>Parses one message; never throws. Whatever could not be parsed is named in <see cref="DnsMessage.Malformed"/>.</summary>
    public static DnsMessage Parse(ReadOnlySpan<byte> message, bool fromClient, long timestampNanoseconds)
    {
        if (message.Length < HeaderLength)
        {
            return new DnsMessage { FromClient = fromClient, TimestampNanoseconds = timestampNanoseconds, Malformed = "shorter than the 12-octet header" };
        }

        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        var counts = (Q: BinaryPrimitives.ReadUInt16BigEndian(message[4..]), An: BinaryPrimitives.ReadUInt16BigEndian(message[6..]),
            Ns: BinaryPrimitives.ReadUInt16BigEndian(message[8..]), Ar: BinaryPrimitives.ReadUInt16BigEndian(message[10..]));
        var offset = HeaderLength;
        string? malformed = null;
        var questions = new List<DnsQuestion>(Math.Min((int)counts.Q, 4));
        for (var i = 0; i < counts.Q && malformed is null; i++)
        {
            if (i >= MaxRecordsPerSection)
            {
                malformed = "too many questions";
                break;
            }

            if (!TryReadName(message, ref offset, out var name, out var error))
            {
                malformed = $"question {i + 1}: {error}";
                break;
            }

            if (offset + 4 > message.Length)
            {
                malformed = $"question {i + 1}: truncated";
                break;
            }

            questions.Add(new DnsQuestion(name, BinaryPrimitives.ReadUInt16BigEndian(message[offset..]), BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..])));
            offset += 4;
        }

        var answers = ReadSection(message, ref offset, counts.An, "answer", ref malformed);
        var authorities = ReadSection(message, ref offset, counts.Ns, "authority", ref malformed);
        var additionals = ReadSection(message, ref offset, counts.Ar, "additional", ref malformed);
        return new DnsMessage
        {
            Id = BinaryPrimitives.ReadUInt16BigEndian(message),
            IsResponse = (flags & 0x8000) != 0,
            Opcode = (flags >> 11) & 0xF,
            Authoritative = (flags & 0x0400) != 0,
            Truncated = (flags & 0x0200) != 0,
            RecursionDesired = (flags & 0x0100) != 0,
            RecursionAvailable = (flags & 0x0080) != 0,
            ResponseCode = flags & 0xF,
            FromClient = fromClient,
            TimestampNanoseconds = timestampNanoseconds,
            Questions = questions,
            Answers = answers,
            Authorities = authorities,
            Additionals = additionals,
            Malformed = malformed,
        };
    }

    private static List<DnsResourceRecord> ReadSection(ReadOnlySpan<byte> message, ref int offset, int count, string section, ref string? malformed)
    {
        var records = new List<DnsResourceRecord>(Math.Min(count, 8));
        for (var i = 0; i < count && malformed is null; i++)
        {
            if (i >= MaxRecordsPerSection)
            {
                malformed = $"too many {section} records";
                break;
            }

            if (!TryReadName(message, ref offset, out var name, out var error))
            {
                malformed = $"{section} {i + 1}: {error}";
                break;
            }

            if (offset + 10 > message.Length)
            {
                malformed = $"{section} {i + 1}: truncated";
                break;
            }

            var type = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            var rrClass = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(offset + 4)..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
            offset += 10;
            if (offset + length > message.Length)
            {
                malformed = $"{section} {i + 1}: RDATA truncated";
                break;
            }

            if (!TryFormatData(message, offset, length, type, out var data, out var preference, out error))
            {
                malformed = $"{section} {i + 1}: {error}";
                break;
            }

            records.Add(new DnsResourceRecord(name, type, rrClass, ttl, data) { Preference = preference });
            offset += length;
        }

        return records;
    }

    private static bool TryFormatData(ReadOnlySpan<byte> message, int offset, int length, ushort type, out string data, out ushort? preference, out string? error)
    {
        preference = null;
        error = null;
        data = string.Empty;
        var rdata = message.Slice(offset, length);
        var end = offset + length;
        switch (type)
        {
            case 1 when length == 4:
                data = new IPAddress(rdata).ToString();
                return true;
            case 28 when length == 16:
                data = new IPAddress(rdata).ToString();
                return true;
            case 2 or 5 or 12:
            {
                var at = offset;
                return TryReadName(message, ref at, out data, out error) && WithinRecord(at, end, ref error);
            }

            case 15 when length >= 3:
            {
                preference = BinaryPrimitives.ReadUInt16BigEndian(rdata);
                var at = offset + 2;
                return TryReadName(message, ref at, out data, out error) && WithinRecord(at, end, ref error);
            }

            case 16:
                return TryFormatText(rdata, out data, out error);
            case 6:
            {
                var at = offset;
                if (!TryReadName(message, ref at, out var mname, out error) || !TryReadName(message, ref at, out var rname, out error))
                {
                    return false;
                }

                if (at + 20 > end)
                {
                    error = "SOA truncated";
                    return false;
                }

                var numbers = message[at..];
                data = string.Create(CultureInfo.InvariantCulture,
                    $"{mname} {rname} {BinaryPrimitives.ReadUInt32BigEndian(numbers)} {BinaryPrimitives.ReadUInt32BigEndian(numbers[4..])} {BinaryPrimitives.ReadUInt32BigEndian(numbers[8..])} {BinaryPrimitives.ReadUInt32BigEndian(numbers[12..])} {BinaryPrimitives.ReadUInt32BigEndian(numbers[16..])}");
                return true;
            }

            case 33 when length >= 7:
            {
                var at = offset + 6;
                if (!TryReadName(message, ref at, out var target, out error))
                {
                    return false;
                }

                data = string.Create(CultureInfo.InvariantCulture,
                    $"{BinaryPrimitives.ReadUInt16BigEndian(rdata)} {BinaryPrimitives.ReadUInt16BigEndian(rdata[2..])} {BinaryPrimitives.ReadUInt16BigEndian(rdata[4..])} {target}");
                return true;
            }

            default:
                data = Convert.ToHexStringLower(rdata);
                return true;
        }
    }

    private static bool WithinRecord(int at, int end, ref string? error)
    {
        if (at <= end)
        {
            return true;
        }

        error = "name runs past RDATA";
        return false;
    }

    private static bool TryFormatText(ReadOnlySpan<byte> rdata, out string data, out string? error)
    {
        var text = new StringBuilder(rdata.Length);
        var at = 0;
        while (at < rdata.Length)
        {
            var length = rdata[at++];
            if (at + length > rdata.Length)
            {
                data = text.ToString();
                error = "TXT string truncated";
                return false;
            }

            AppendText(text, rdata.Slice(at, length));

            at += length;
        }

        data = text.ToString();
        error = null;
        return true;
    }

    /// <summary>Reads a possibly compressed name at <paramref name="offset"/>, which moves past its wire form.</summary>
    public static bool TryReadName(ReadOnlySpan<byte> message, ref int offset, out string name, out string? error)
    {
        var text = new StringBuilder(64);
        var at = offset;
        var end = -1;
        var pointers = 0;
        var wireLength = 1;
        error = null;
        name = string.Empty;
        while (true)
        {
            if (at >= message.Length)
            {
                error = "name truncated";
                return false;
            }

            var length = message[at];
            if ((length & 0xC0) == 0xC0)
            {
                if (at + 1 >= message.Length)
                {
                    error = "compression pointer truncated";
                    return false;
                }

                if (++pointers > MaxPointers)
                {
                    error = "compression loop";
                    return false;
                }

                if (end < 0)
                {
                    end = at + 2;
                }

                at = ((length & 0x3F) << 8) | message[at + 1];
                continue;
            }

            if ((length & 0xC0) != 0)
            {
                error = "reserved label type";
                return false;
            }

            if (length == 0)
            {
                offset = end < 0 ? at + 1 : end;
                name = text.Length == 0 ? "<Root>" : text.ToString();
                return true;
            }

            wireLength += length + 1;
            if (wireLength > 255)
            {
                error = "name longer than 255 octets";
                return false;
            }

            if (at + 1 + length > message.Length)
            {
                error = "label truncated";
                return false;
            }

            if (text.Length > 0)
            {
                text.Append('.');
            }

            AppendText(text, message.Slice(at + 1, length));

            at += length + 1;
        }
    }

    private static bool TrySkipName(ReadOnlySpan<byte> message, ref int offset)
    {
        var at = offset;
        var wireLength = 1;
        while (at < message.Length)
        {
            var length = message[at];
            if ((length & 0xC0) == 0xC0)
            {
                // A question name may be compressed only backwards into the header-free part.
                if (at + 1 >= message.Length)
                {
                    return false;
                }

                offset = at + 2;
                return true;
            }

            if ((length & 0xC0) != 0)
            {
                return false;
            }

            if (length == 0)
            {
                offset = at + 1;
                return true;
            }

            wireLength += length + 1;
            if (wireLength > 255 || at + 1 + length > message.Length)
            {
                return false;
            }

            at += length + 1;
        }

        return false;
    }

    private static void AppendText(StringBuilder text, ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            var b = bytes[i];
            if (b >= 0x80)
            {
                var run = i;
                while (run < bytes.Length && bytes[run] >= 0x80)
                {
                    run++;
                }

                text.Append(Encoding.UTF8.GetString(bytes[i..run]));
                i = run;
                continue;
            }

            if (b is < 0x20 or 0x7F)
            {
                text.Append('\\').Append((char)('0' + (b >> 6))).Append((char)('0' + ((b >> 3) & 7))).Append((char)('0' + (b & 7)));
            }
            else
            {
                text.Append((char)b);
            }

            i++;
        }
    }
}
