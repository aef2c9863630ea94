using System.Buffers.Binary;
using Recorder.Synthesis.Flows;
using Recorder.Synthesis.Randomness;

namespace Recorder.Synthesis.Packets;

/// <summary>
/// DNS queries and responses (RFC 1035 §4.1): a header, one question whose name is encoded as
/// length-prefixed labels, and for a positive response one A or AAAA answer that points back to
/// the question's name with a compression pointer (§4.1.4). About one response in twenty is NXDOMAIN.
/// </summary>
internal static class DnsMessages
{
    public const int MaximumLength = 160;

    private const ulong SaltName = 0xD45;

    public static int Length(ulong flowKey, int exchange, bool response, bool ipv6)
    {
        Span<byte> scratch = stackalloc byte[MaximumLength];
        return Write(flowKey, exchange, response, ipv6, scratch);
    }

    public static int Write(ulong flowKey, int exchange, bool response, bool ipv6, Span<byte> destination)
    {
        var h = CounterHash.Of(flowKey, (ulong)exchange, SaltName);
        var id = (ushort)(h >> 48);
        var aaaa = CounterHash.Below(CounterHash.Part(h, 8), 100) < (ipv6 ? 60UL : 20UL);
        var nxdomain = CounterHash.Below(CounterHash.Part(h, 16), 100) < 5;
        BinaryPrimitives.WriteUInt16BigEndian(destination, id);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], response ? (ushort)(nxdomain ? 0x8183 : 0x8180) : (ushort)0x0100);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)(response && !nxdomain ? 1 : 0));
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], 0);
        var length = 12 + WriteName(h, destination[12..]);
        var qtype = aaaa ? (ushort)28 : (ushort)1;
        BinaryPrimitives.WriteUInt16BigEndian(destination[length..], qtype);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(length + 2)..], 1);
        length += 4;
        if (response && !nxdomain)
        {
            var answer = destination[length..];
            BinaryPrimitives.WriteUInt16BigEndian(answer, 0xC00C); // pointer to the question name at offset 12
            BinaryPrimitives.WriteUInt16BigEndian(answer[2..], qtype);
            BinaryPrimitives.WriteUInt16BigEndian(answer[4..], 1);
            BinaryPrimitives.WriteUInt32BigEndian(answer[6..], (uint)CounterHash.Between(CounterHash.Part(h, 20), 30, 3630));
            var server = CounterHash.Below(CounterHash.Part(h, 24), 20_000);
            if (aaaa)
            {
                BinaryPrimitives.WriteUInt16BigEndian(answer[10..], 16);
                BinaryPrimitives.WriteUInt128BigEndian(answer[12..], AddressPlan.OrdinaryServer6(server));
                length += 28;
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(answer[10..], 4);
                BinaryPrimitives.WriteUInt32BigEndian(answer[12..], AddressPlan.Low32(AddressPlan.OrdinaryServer4(server)));
                length += 16;
            }
        }

        return length;
    }

    /// <summary>Writes one of a few realistic names in wire format; returns its length.</summary>
    private static int WriteName(ulong h, Span<byte> destination)
    {
        var number = (long)CounterHash.Below(CounterHash.Part(h, 32), 50_000);
        var length = 0;
        switch (CounterHash.Below(CounterHash.Part(h, 40), 6))
        {
            case 0:
                length += Label(destination[length..], "www", -1);
                length += Label(destination[length..], "site", number);
                length += Label(destination[length..], "example", -1);
                length += Label(destination[length..], "com", -1);
                break;
            case 1:
                length += Label(destination[length..], "api", number);
                length += Label(destination[length..], "svc", -1);
                length += Label(destination[length..], "example", -1);
                length += Label(destination[length..], "net", -1);
                break;
            case 2:
                length += Label(destination[length..], "cdn-", number);
                length += Label(destination[length..], "edge", -1);
                length += Label(destination[length..], "example", -1);
                length += Label(destination[length..], "org", -1);
                break;
            case 3:
                length += Label(destination[length..], "mail", number);
                length += Label(destination[length..], "corp", -1);
                length += Label(destination[length..], "example", -1);
                break;
            case 4:
                length += Label(destination[length..], "telemetry", number);
                length += Label(destination[length..], "example", -1);
                length += Label(destination[length..], "com", -1);
                break;
            default:
                length += Label(destination[length..], "img", number);
                length += Label(destination[length..], "static", -1);
                length += Label(destination[length..], "example", -1);
                length += Label(destination[length..], "net", -1);
                break;
        }

        destination[length] = 0; // the root label
        return length + 1;
    }

    private static int Label(Span<byte> destination, string text, long number)
    {
        var writer = new AsciiWriter(destination[1..]);
        writer.Append(text);
        if (number >= 0)
        {
            writer.Append(number);
        }

        destination[0] = (byte)writer.Length;
        return writer.Length + 1;
    }
}
