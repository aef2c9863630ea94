using System.Globalization;
using System.Text.RegularExpressions;
using Recorder.Core.Formats;
using Recorder.Core.Packets;
using Recorder.Core.Query;
using Recorder.Core.Time;
using Recorder.Synthesis.Tests.Support;
using Recorder.Synthesis.Truth;

namespace Recorder.Synthesis.Tests;

/// <summary>The truth's BPF strings against libpcap itself: tcpdump selects exactly the counted packets.</summary>
[Collection(CaptureVariantsCollection.Name)]
public sealed partial class TcpdumpTests(CaptureVariants variants)
{
    public static TheoryData<string> Names => new() { "pcap-us", "pcap-ns", "pcapng", "multi-link" };

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public void Tcpdump_EveryNeedleAndQueryFilter_SelectsTheCountedPackets(string name)
    {
        var tcpdump = ExternalTool.Find("tcpdump");
        Skip.If(tcpdump is null, "tcpdump is not installed");
        var file = variants[name];

        // libpcap reads one link type per file: split a multi-link capture by interface first.
        var parts = file.Options.MultipleLinkTypes ? SplitByLinkType(file) : [(file.Path, LinkTypes.Ethernet)];
        var selections = file.Truth.Needles.Append(file.Truth.Elephant).Select(n => (n.Name, n.Query, n.Packets))
            .Concat(file.Truth.Queries.Select(q => (q.Name, q.Query, q.Packets)));
        foreach (var (selection, query, expected) in selections)
        {
            long counted = 0;
            foreach (var (part, linkType) in parts)
            {
                // 802.1Q tags exist only on Ethernet; libpcap refuses "vlan" on other link types.
                if (linkType == LinkTypes.Ethernet || !query.Bpf.StartsWith("vlan", StringComparison.Ordinal))
                {
                    counted += CountWithTcpdump(tcpdump!, part, query);
                }
            }

            Assert.Equal((selection, query.Bpf, expected), (selection, query.Bpf, counted));
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public void Capinfos_AcceptsTheFile_AndCountsTheTruthsPackets(string name)
    {
        var capinfos = ExternalTool.Find("capinfos");
        Skip.If(capinfos is null, "capinfos is not installed");
        var file = variants[name];

        var (exitCode, output, error) = ExternalTool.Run(capinfos!, "-c", "-M", file.Path);

        Assert.True(exitCode == 0, $"capinfos failed: {error}");
        var match = PacketsLine().Match(System.Text.Encoding.UTF8.GetString(output));
        Assert.True(match.Success, "capinfos printed no packet count");
        Assert.Equal(file.Truth.Packets, long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [SkippableFact]
    public void Tcpdump_ReadsTheWholeFile_WithoutComplaint()
    {
        var tcpdump = ExternalTool.Find("tcpdump");
        Skip.If(tcpdump is null, "tcpdump is not installed");
        foreach (var file in variants.All.Where(v => !v.Options.MultipleLinkTypes))
        {
            var (exitCode, output, error) = ExternalTool.Run(tcpdump!, "-n", "-v", "-r", file.Path);
            Assert.Equal(0, exitCode);
            Assert.DoesNotContain("truncated", error, StringComparison.OrdinalIgnoreCase);
            Assert.True(output.Length > 1000);
        }
    }

    private static long CountWithTcpdump(string tcpdump, string path, SynthesisQuery query)
    {
        List<string> arguments = ["--time-stamp-precision=nano", "-r", path, "-w", "-"];
        if (query.Bpf.Length > 0)
        {
            arguments.Add(query.Bpf);
        }

        var (exitCode, output, error) = ExternalTool.Run(tcpdump, [.. arguments]);
        Assert.True(exitCode == 0, $"tcpdump '{query.Bpf}' failed: {error}");
        var window = new PacketQuery
        {
            From = query.From is null ? null : TimestampParser.Parse(query.From),
            To = query.To is null ? null : TimestampParser.Parse(query.To),
        };
        using var reader = CaptureFileReader.Open(new MemoryStream(output), "tcpdump output");
        long count = 0;
        while (reader.TryRead(out var packet))
        {
            count += window.InWindow(packet.TimestampNanoseconds) ? 1 : 0;
        }

        return count;
    }

    private (string Path, int LinkType)[] SplitByLinkType(SynthesizedFile file)
    {
        var paths = file.Truth.LinkTypes.Select(t => variants.TempPath($"{file.Name}-link{t}.pcap")).ToArray();
        var outputs = paths.Select(p => new FileStream(p, FileMode.Create)).ToArray();
        var writers = outputs.Select(o => new CaptureWriter(o, CaptureFileFormat.Pcap, "split")).ToArray();
        try
        {
            using var reader = CaptureFileReader.Open(file.Path);
            while (reader.TryRead(out var packet))
            {
                writers[packet.InterfaceIndex].Write(packet.LinkType, packet.TimestampNanoseconds, packet.OriginalLength, packet.Data);
            }
        }
        finally
        {
            foreach (var output in outputs)
            {
                output.Dispose();
            }
        }

        return paths.Zip(file.Truth.LinkTypes).ToArray();
    }

    [GeneratedRegex(@"Number of packets:\s+(\d+)")]
    private static partial Regex PacketsLine();
}
