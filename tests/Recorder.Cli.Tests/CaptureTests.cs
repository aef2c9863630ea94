using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary>Live capture on the loopback interface (needs root and libpcap; CI runs as root).</summary>
public sealed class CaptureTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-capture");
    private readonly int _port = 40000 + (Environment.ProcessId % 5000) + Random.Shared.Next(0, 999);

    private string Store => _directory.File("store");

    [SkippableFact]
    public void Capture_PacketLimit_StoresExactlyThosePackets_WithNanosecondTimestamps_AndTheDropCounters()
    {
        RequireLiveCapture();
        using var capture = Start("--packets", "100", "--duration", "60", "--sessions", "--json");
        Send(150);
        Assert.True(capture.WaitForExit(TimeSpan.FromSeconds(60)), "capture did not stop at its packet limit");
        var result = new CliResult(capture.ExitCode, capture.StandardOutput.ReadToEnd(), capture.StandardError.ReadToEnd());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(100, result.Json["packets"]!.GetValue<long>());
        Assert.Equal("packets", result.Json["stopReason"]!.GetValue<string>());
        var statistics = result.Json["statistics"]!;
        Assert.Equal(0, statistics["recorderDropped"]!.GetValue<long>());
        Assert.Equal(0, statistics["kernelDropped"]!.GetValue<long>());
        var all = _directory.File("all.pcap");
        Assert.Equal(0, Cli.Run("--store", Store, "query", "--case", "T-1", "--reason", "tests", "--out", all).ExitCode);
        var packets = CaptureFiles.Read(all);
        Assert.Equal(100, packets.Count);
        for (var i = 0; i < 100; i++)
        {
            Assert.EndsWith($"datagram {i:D4}", Encoding.ASCII.GetString(packets[i].Data), StringComparison.Ordinal);
        }

        Assert.Contains(packets, p => p.Nanoseconds % 1000 != 0);

        // With --sessions every sealed segment's session metadata was built while capturing: the datagrams are one UDP session.
        var segments = result.Json["segments"]!.AsArray().Count;
        Assert.Equal(segments, result.Json["sessions"]!.AsArray().Count(s => s!["error"] is null && s["sha256"] is not null));
        var found = Cli.Run("--store", Store, "sessions", "--proto", "udp", "--case", "T-1", "--reason", "tests", "--json");
        Assert.True(found.ExitCode == 0, found.ToString());
        Assert.Equal(100, found.Json["results"]!.AsArray().Sum(r => r!["clientPackets"]!.GetValue<long>() + r["serverPackets"]!.GetValue<long>()));
        Assert.Equal(0, Cli.Run("--store", Store, "verify").ExitCode);
        var ledger = Cli.Run("--store", Store, "ledger", "--json", "--action", "capture.*").Json.AsArray();
        Assert.Equal(["capture.started", "capture.stopped"], ledger.Select(e => e!["action"]!.GetValue<string>()).ToArray());
        Assert.Equal(100, ledger[1]!["details"]!["statistics"]!["stored"]!.GetValue<long>());
        var manifest = Cli.Run("--store", Store, "segments", "--json").Json.AsArray()[0]!;
        Assert.Equal(100, manifest["origin"]!["statistics"]!["stored"]!.GetValue<long>());
    }

    [SkippableFact]
    public void Capture_Interrupted_StopsCleanly_AndSealsWhatItCaptured()
    {
        RequireLiveCapture();
        using var capture = Start("--json");
        Send(40);
        Thread.Sleep(500);
        using (var kill = Process.Start("kill", ["-INT", capture.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        Assert.True(capture.WaitForExit(TimeSpan.FromSeconds(60)), "capture did not stop on SIGINT");
        var result = new CliResult(capture.ExitCode, capture.StandardOutput.ReadToEnd(), capture.StandardError.ReadToEnd());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("interrupted", result.Json["stopReason"]!.GetValue<string>());
        Assert.Equal(40, result.Json["packets"]!.GetValue<long>());
        Assert.Equal("end-of-capture", Cli.Run("--store", Store, "segments", "--json").Json.AsArray()[0]!["sealReason"]!.GetValue<string>());
    }

    [SkippableFact]
    public void Capture_KilledWithSigkill_IsRecoveredAtTheNextStart()
    {
        RequireLiveCapture();
        using (var capture = Start())
        {
            Send(60);
            Thread.Sleep(1500); // open segments reach the OS four times a second
            capture.Kill();
            capture.WaitForExit();
        }

        var segments = Cli.Run("--store", Store, "segments", "--json");

        Assert.True(segments.ExitCode == 0, segments.ToString());
        Assert.Contains("recovered 60 packets", segments.Error, StringComparison.Ordinal);
        Assert.Equal(0, Cli.Run("--store", Store, "verify").ExitCode);
    }

    private Process Start(params string[] extra)
    {
        var capture = Cli.StartProcess(null, ["--store", Store, "capture", "--interface", "lo", "--filter", $"udp port {_port}", .. extra]);
        var ready = Stopwatch.StartNew();
        while (ready.Elapsed < TimeSpan.FromSeconds(30))
        {
            var line = capture.StandardError.ReadLine();
            if (line is null || line.Contains("recording on", StringComparison.Ordinal))
            {
                break;
            }
        }

        Thread.Sleep(300);
        return capture;
    }

    private void Send(int count)
    {
        using var client = new UdpClient();
        for (var i = 0; i < count; i++)
        {
            client.Send(Encoding.ASCII.GetBytes($"datagram {i:D4}"), "127.0.0.1", _port);
            Thread.Sleep(2);
        }
    }

    private static void RequireLiveCapture()
    {
        Skip.IfNot(Environment.UserName == "root", "live capture needs root (CI runs as root)");
        Skip.IfNot(Capture.Filtering.PcapFilterCompiler.IsAvailable(out _), "libpcap is not installed");
    }

    public void Dispose() => _directory.Dispose();
}
