using Recorder.Capture.Filtering;
using Recorder.Core.Packets;
using Recorder.Core.Query;
using Recorder.Synthesis;
using Recorder.TestSupport;

namespace Recorder.Storage.Tests.Query;

/// <summary>
/// <c>--bpf</c> against tcpdump on every link type Recorder can hold: the synthesizer's (Ethernet
/// with and without VLAN tags, raw IP, Linux cooked capture) and every link type in the shared
/// corpus. Stored packets carry the file's LINKTYPE_; libpcap compiles for a DLT_ and the two differ
/// for raw IP (101 and 12 on Linux), so a filter compiled for the stored number selects nothing.
/// </summary>
public sealed class BpfLinkTypeTests : IDisposable
{
    /// <summary>Expressions that mean something on most link types, and some that some link types cannot compile.</summary>
    private static readonly string[] Expressions =
    [
        "ip", "ip6", "tcp", "udp", "icmp or icmp6", "port 53", "tcp port 80 or tcp port 443", "net 10.0.0.0/8",
        "greater 200", "vlan", "tcp[tcpflags] & tcp-syn != 0", "ether multicast", "not ip and not ip6",
    ];

    private readonly TempDirectory _directory = new("recorder-bpf-linktypes");

    public void Dispose() => _directory.Dispose();

    [SkippableFact]
    public void Query_Bpf_OnEverySynthesizedLinkType_SelectsWhatTcpdumpSelects()
    {
        var tcpdump = ExternalTools.Require("tcpdump", "tcpdump");
        Skip.IfNot(PcapFilterCompiler.IsAvailable(out var missing), missing);
        var capture = _directory.File("synth.pcapng");
        TrafficSynthesizer.Write(capture, new SynthesisOptions
        {
            TargetPackets = 3000, Seed = 5, Format = Core.Formats.CaptureFileFormat.Pcapng,
            MultipleLinkTypes = true, VlanShare = 0.3, IPv6Share = 0.3,
        });
        var byLinkType = CaptureFiles.Read(capture).GroupBy(p => p.LinkType).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal([LinkTypes.Ethernet, LinkTypes.Raw, LinkTypes.LinuxSll], byLinkType.Keys.Order());
        using var store = new TestStore();
        store.Import(capture);
        var failures = new List<string>();

        foreach (var expression in Expressions)
        {
            var (output, run) = store.Query(new PacketQuery { Bpf = expression }, pcapng: true);
            var answer = CaptureFiles.Read(output.Path).GroupBy(p => p.LinkType).ToDictionary(g => g.Key, g => g.ToList());
            foreach (var (linkType, packets) in byLinkType)
            {
                var source = store.WriteCapture($"synth-{linkType}.pcap", packets);
                var ours = answer.GetValueOrDefault(linkType) ?? [];
                var compiled = !run.BpfNotApplicable.ContainsKey(linkType);
                Compare(tcpdump, source, expression, linkType, compiled, ours, failures);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [SkippableFact]
    public void Filter_OnEveryCorpusLinkType_SelectsWhatTcpdumpSelects()
    {
        var shared = ExternalTools.RequireShared();
        var tcpdump = ExternalTools.Require("tcpdump", "tcpdump");
        Skip.IfNot(PcapFilterCompiler.IsAvailable(out var missing), missing);
        var samples = CorpusSamples(shared, tcpdump, perLinkType: 2);
        var compiler = new PcapFilterCompiler();
        var failures = new List<string>();

        foreach (var (linkType, file, packets) in samples)
        {
            foreach (var expression in Expressions)
            {
                using var filter = compiler.TryCompile(expression, linkType, out _);
                var ours = filter is null ? [] : packets.Where(p => filter.Matches(p.Data, p.OriginalLength)).ToList();
                Compare(tcpdump, file, expression, linkType, filter is not null, ours, failures);
            }
        }

        // The corpus holds dozens of link types; raw IP (101) is the one whose DLT differs on Linux.
        Assert.Contains(samples, s => s.LinkType == LinkTypes.Raw);
        Assert.True(samples.Select(s => s.LinkType).Distinct().Count() >= 10, "the corpus should hold many link types");
        Assert.True(failures.Count == 0, $"{failures.Count} disagreements with tcpdump:\n" + string.Join("\n", failures));
    }

    /// <summary>
    /// Records a failure unless our answer is tcpdump's: the same packets in the same order when
    /// tcpdump compiled the expression, and a refusal when tcpdump refused it.
    /// </summary>
    private void Compare(string tcpdump, string source, string expression, int linkType, bool compiled, List<TestPacket> ours, List<string> failures)
    {
        var reference = _directory.File($"tcpdump-{Guid.NewGuid():N}.pcap");
        var (code, _, error) = ExternalTools.Run(tcpdump, ["--time-stamp-precision=nano", "-r", source, "-w", reference, expression]);
        var where = $"link type {linkType}, '{expression}', {Path.GetFileName(source)}";
        if (code != 0)
        {
            if (compiled)
            {
                failures.Add($"{where}: tcpdump refused it ({error.Trim()}) but we compiled it");
            }

            return;
        }

        if (!compiled)
        {
            failures.Add($"{where}: tcpdump compiled it but we did not");
            return;
        }

        var expected = CaptureFiles.Read(reference);
        if (CaptureFiles.Digest(expected) != CaptureFiles.Digest(ours))
        {
            failures.Add($"{where}: tcpdump selects {expected.Count} packets, we select {ours.Count}");
        }
    }

    /// <summary>
    /// Up to <paramref name="perLinkType"/> corpus files of each link type that tcpdump and our reader
    /// read into the same packets (files holding truncated records are the import tests' business).
    /// </summary>
    private static List<(int LinkType, string File, List<TestPacket> Packets)> CorpusSamples(string shared, string tcpdump, int perLinkType)
    {
        var samples = new List<(int LinkType, string File, List<TestPacket> Packets)>();
        var files = Directory.GetFiles(Path.Combine(shared, "corpus"), "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".pcap", StringComparison.Ordinal) || f.EndsWith(".pcapng", StringComparison.Ordinal) || f.EndsWith(".cap", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            List<TestPacket> packets;
            try
            {
                packets = CaptureFiles.Read(file);
            }
            catch (Core.Formats.CaptureFormatException)
            {
                continue;
            }

            if (packets.Count == 0 || packets.Select(p => p.LinkType).Distinct().Count() != 1
                || samples.Count(s => s.LinkType == packets[0].LinkType) >= perLinkType)
            {
                continue;
            }

            // libpcap cuts records longer than the file's snap length, and reformats some pseudo-
            // headers, as it reads: keep the files it reads exactly as we do, so any difference
            // left is the filter's.
            var copy = Path.Combine(Path.GetTempPath(), $"recorder-bpf-{Guid.NewGuid():N}.pcap");
            try
            {
                if (ExternalTools.Run(tcpdump, ["--time-stamp-precision=nano", "-r", file, "-w", copy]).ExitCode == 0
                    && CaptureFiles.Digest(CaptureFiles.Read(copy)) == CaptureFiles.Digest(packets))
                {
                    samples.Add((packets[0].LinkType, file, packets));
                }
            }
            finally
            {
                File.Delete(copy);
            }
        }

        return samples;
    }
}
