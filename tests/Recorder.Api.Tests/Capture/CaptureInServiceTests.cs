using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;
using Recorder.Core.Time;
using Recorder.TestSupport;

namespace Recorder.Api.Tests.Capture;

/// <summary>Live capture inside the service: a packet is queryable within 2 s, before its segment is sealed.</summary>
public sealed class CaptureInServiceTests
{
    [SkippableFact]
    public async Task CapturedPacket_IsQueryableWithinTwoSeconds_BeforeItsSegmentIsSealed()
    {
        Skip.IfNot(Environment.UserName == "root", "live capture needs root (CI runs as root)");
        Skip.IfNot(Recorder.Capture.Filtering.PcapFilterCompiler.IsAvailable(out _), "libpcap is not installed");
        using var store = ServiceTestStore.Create(packets: 2_000);
        var port = 40_000 + (Environment.ProcessId % 20_000);
        var options = store.Options() with { CaptureInterface = "lo", CaptureFilter = $"udp port {port}" };
        await using var service = await KestrelService.StartAsync(options);
        using var alice = service.As(store.Tokens["alice"]);
        using var ada = service.As(store.Tokens["ada"]);
        Assert.True((await ada.GetJsonAsync("/api/capture"))["running"]!.GetValue<bool>());
        var sealedBefore = Directory.GetFiles(Path.Combine(store.StorePath, "segments"), "*.manifest.json", SearchOption.AllDirectories).Length;

        var now = Timestamp.Now(TimeProvider.System);
        var window = (Timestamp.FromSeconds(now.Seconds - 3600).ToString(), Timestamp.FromSeconds(now.Seconds + 3600).ToString());
        using var udp = new UdpClient();
        var marker = Encoding.ASCII.GetBytes("recorder-live-" + Guid.NewGuid().ToString("N"));
        await udp.SendAsync(marker, new IPEndPoint(IPAddress.Loopback, port));
        var sent = Stopwatch.StartNew();

        JsonObject? found = null;
        TimeSpan submittedAfter = default;
        while (found is null && sent.Elapsed < TimeSpan.FromSeconds(10))
        {
            submittedAfter = sent.Elapsed;
            var id = await alice.SubmitAsync(ApiClient.Query("127.0.0.1", port, window));
            var done = await alice.WaitSettledAsync(id);
            if (done["result"]!["packets"]!.GetValue<int>() > 0)
            {
                found = done;
            }
        }

        Assert.NotNull(found);
        Assert.True(submittedAfter < TimeSpan.FromSeconds(2), $"the first query that saw the packet was submitted {submittedAfter.TotalMilliseconds:0} ms after it was sent");
        var result = CaptureFiles.Read(Path.Combine(store.StorePath, "extractions", found["id"]!.GetValue<string>(), found["result"]!["file"]!.GetValue<string>()));
        Assert.Contains(result, p => p.Data.AsSpan().IndexOf(marker) >= 0);

        // It came from a segment still being written: the answer says which part was not sealed.
        var unsealed = found["unsealed"]!.AsArray();
        Assert.NotEmpty(unsealed);
        Assert.True(found["run"]!["unsealedPackets"]!.GetValue<long>() >= 1);
        Assert.Equal(sealedBefore, Directory.GetFiles(Path.Combine(store.StorePath, "segments"), "*.manifest.json", SearchOption.AllDirectories).Length);

        // Stopping the capture seals it; the same query then reads it from a sealed segment.
        using (var stop = await ada.PostJsonAsync("/api/capture/stop", "{}"))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }

        var again = await alice.WaitSettledAsync(await alice.SubmitAsync(ApiClient.Query("127.0.0.1", port, window)));
        Assert.Empty(again["unsealed"]!.AsArray());
        Assert.Equal(found["result"]!["packets"]!.GetValue<int>(), again["result"]!["packets"]!.GetValue<int>());
        var actions = LedgerFile.Entries(store.StorePath).Select(e => e["action"]!.GetValue<string>()).ToList();
        Assert.Contains("capture.started", actions);
        Assert.Contains("capture.stop-requested", actions);
        Assert.Contains("capture.stopped", actions);
    }
}
