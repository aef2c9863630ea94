using System.Buffers.Binary;
using System.Net;
using System.Text;
using CsCheck;
using Recorder.Core.Formats;
using Recorder.Core.Packets;
using Recorder.Sessions.Dhcp;
using Recorder.TestSupport;

namespace Recorder.Sessions.Tests.Dhcp;

/// <summary>
/// DHCP: who was on which address, when. A DISCOVER/OFFER/REQUEST/ACK exchange the test builds goes
/// through the session table; each message's fields equal tshark's on the same capture; hostile
/// datagrams never throw and a cut option is reported.
/// </summary>
public sealed class DhcpTests : IDisposable
{
    private static readonly byte[] Mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
    private readonly TempDirectory _directory = new("recorder-dhcp");

    [Fact]
    public void Exchange_GivesTheClientsNameMacAndAssignedAddress()
    {
        var messages = Messages(Traffic.Run(Exchange()));
        Assert.Equal(["DISCOVER", "OFFER", "REQUEST", "ACK"], messages.Select(m => m.MessageType));
        var ack = messages.Single(m => m.MessageType == "ACK");
        Assert.Equal("192.168.7.50", ack.YourAddress);
        Assert.Equal("52:54:00:12:34:56", ack.ClientHardwareAddress);
        Assert.Equal(3600, ack.LeaseSeconds);
        Assert.Equal("192.168.7.1", ack.ServerIdentifier);
        var request = messages.Single(m => m.MessageType == "REQUEST");
        Assert.Equal("alice-laptop", request.HostName);
        Assert.Equal("alice-laptop.corp.example", request.ClientFqdn);
        Assert.Equal("192.168.7.50", request.RequestedAddress);
        Assert.Equal("MSFT 5.0", request.VendorClass);
        Assert.All(messages, m => Assert.Null(m.Malformed));
    }

    [SkippableFact]
    public void EveryField_EqualsTshark()
    {
        var tshark = ExternalTools.Find("tshark");
        Skip.If(tshark is null, "tshark is not installed (apt-get install tshark)");
        var capture = Path.Combine(_directory.Path, "dhcp.pcap");
        using (var stream = File.Create(capture))
        using (var writer = new CaptureWriter(stream, CaptureFileFormat.Pcap, "Recorder tests"))
        {
            var time = 1_700_000_000_000_000_000L;
            foreach (var frame in Exchange())
            {
                writer.Write(LinkTypes.Ethernet, time, (uint)frame.Length, frame);
                time += 1_000_000;
            }
        }

        var ours = Messages(Traffic.RunCapture(capture)).OrderBy(m => m.TimestampNanoseconds).ToList();
        var (exit, output, error) = ExternalTools.Run(tshark!, ["-r", capture, "-Y", "dhcp", "-T", "fields", "-E", "occurrence=f",
            "-e", "dhcp.option.dhcp", "-e", "dhcp.id", "-e", "dhcp.hw.mac_addr", "-e", "dhcp.ip.client", "-e", "dhcp.ip.your", "-e", "dhcp.option.requested_ip_address",
            "-e", "dhcp.option.hostname", "-e", "dhcp.fqdn.name", "-e", "dhcp.option.vendor_class_id", "-e", "dhcp.option.dhcp_server_id", "-e", "dhcp.option.ip_address_lease_time"]);
        Assert.True(exit == 0, error);
        var theirs = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
        Assert.Equal(ours.Count, theirs.Count);
        string[] types = ["", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK"];
        for (var i = 0; i < ours.Count; i++)
        {
            var (m, t) = (ours[i], theirs[i]);
            Assert.Equal(types[int.Parse(t[0], System.Globalization.CultureInfo.InvariantCulture)], m.MessageType);
            Assert.Equal(Convert.ToUInt32(t[1], 16).ToString("x8", System.Globalization.CultureInfo.InvariantCulture), m.TransactionId);
            Assert.Equal(t[2], m.ClientHardwareAddress);
            Assert.Equal(t[3], m.ClientAddress);
            Assert.Equal(t[4], m.YourAddress);
            Assert.Equal(t[5], m.RequestedAddress ?? string.Empty);
            Assert.Equal(t[6], m.HostName ?? string.Empty);
            Assert.Equal(t[7], m.ClientFqdn ?? string.Empty);
            Assert.Equal(t[8], m.VendorClass ?? string.Empty);
            Assert.Equal(t[9], m.ServerIdentifier ?? string.Empty);
            Assert.Equal(t[10], m.LeaseSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
        }
    }

    [Fact]
    public void HostileDatagrams_NeverThrow_AndACutOptionIsReported()
    {
        var request = Dhcp(1, 3, IPAddress.Any, IPAddress.Any, [Option(12, "host"u8), Option(50, [192, 168, 7, 50])]);
        var cut = request[..^3];
        Assert.Contains("runs past the end", DhcpParser.Parse(cut, 0).Malformed, StringComparison.Ordinal);
        Assert.Contains("shorter than the 240", DhcpParser.Parse(request.AsSpan(0, 100), 0).Malformed, StringComparison.Ordinal);
        Gen.Int[240, 400].SelectMany(n => Gen.Byte.Array[n]).Sample(bytes =>
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(236), 0x63825363);
            _ = DhcpParser.Parse(bytes, 0);
        }, iter: 3000);
    }

    public void Dispose() => _directory.Dispose();

    private static List<DhcpMessage> Messages(IEnumerable<SessionRecord> sessions) =>
        sessions.Where(s => s.Application == "dhcp").SelectMany(s => Assert.IsType<DhcpSessionMetadata>(s.Metadata).Messages).OrderBy(m => m.TimestampNanoseconds).ToList();

    /// <summary>DISCOVER and REQUEST from 0.0.0.0:68 to the broadcast address, OFFER and ACK from the server.</summary>
    private static List<byte[]> Exchange()
    {
        var server = IPAddress.Parse("192.168.7.1");
        var given = IPAddress.Parse("192.168.7.50");
        byte[][] clientOptions = [Option(12, "alice-laptop"u8), Option(60, "MSFT 5.0"u8), Option(81, [0x05, 0, 0, .. Dns("alice-laptop.corp.example")])];
        return
        [
            Traffic.Udp("0.0.0.0", 68, "255.255.255.255", 67, Dhcp(1, 1, IPAddress.Any, IPAddress.Any, [.. clientOptions])),
            Traffic.Udp("192.168.7.1", 67, "255.255.255.255", 68, Dhcp(2, 2, IPAddress.Any, given, [Option(54, server.GetAddressBytes()), Option(51, [0, 0, 0x0e, 0x10])])),
            Traffic.Udp("0.0.0.0", 68, "255.255.255.255", 67, Dhcp(1, 3, IPAddress.Any, IPAddress.Any, [.. clientOptions, Option(50, given.GetAddressBytes()), Option(54, server.GetAddressBytes())])),
            Traffic.Udp("192.168.7.1", 67, "255.255.255.255", 68, Dhcp(2, 5, IPAddress.Any, given, [Option(54, server.GetAddressBytes()), Option(51, [0, 0, 0x0e, 0x10])])),
        ];
    }

    private static byte[] Dhcp(byte op, byte type, IPAddress client, IPAddress your, byte[][] options)
    {
        var message = new List<byte>(new byte[236]);
        message[0] = op;
        message[1] = 1;
        message[2] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(message)[4..], 0x3903F326);
        client.GetAddressBytes().CopyTo(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(message)[12..]);
        your.GetAddressBytes().CopyTo(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(message)[16..]);
        Mac.CopyTo(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(message)[28..]);
        message.AddRange([0x63, 0x82, 0x53, 0x63]);
        message.AddRange(Option(53, [type]));
        foreach (var option in options)
        {
            message.AddRange(option);
        }

        message.Add(255);
        return [.. message];
    }

    private static byte[] Option(byte code, ReadOnlySpan<byte> value) => [code, (byte)value.Length, .. value];

    private static byte[] Dns(string name) =>
        [.. name.Split('.').SelectMany(label => new[] { (byte)label.Length }.Concat(Encoding.ASCII.GetBytes(label))), 0];
}
