using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary>
/// FTP control sessions in segment 1 whose data connections open in segment 2 (two imports, one
/// segment each, metadata built as each is sealed): PASV + RETR and PORT + STOR give an
/// <c>ftp-data</c> session in segment 2 with the file, its command and name, and a control session
/// named by segment and id; `recorder files extract` writes it. An announcement no connection uses
/// is recorded as waiting and claims nothing; one older than the TCP idle timeout claims nothing.
/// </summary>
public sealed class FtpAcrossSegmentsTests : IDisposable
{
    private const long Start = 1_790_000_000_000_000_000L;
    private const long Minute = 60_000_000_000L;
    private readonly TempDirectory _directory = new("recorder-ftpseg");
    private readonly byte[] _retrieved = Random(30_000, 11);
    private readonly byte[] _stored = Random(12_345, 12);
    private readonly byte[] _late = Random(4_000, 13);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void DataConnectionInNextSegment_IsFtpData_WithFileAndControlSegment()
    {
        var store = ImportedStore();
        var first = Records(store, 1);
        var second = Records(store, 2);
        var retrControl = Session(first, "10.0.0.1", 21);
        var storControl = Session(first, "10.0.0.2", 21);

        var retr = Session(second, "10.0.0.1", 40001);
        Assert.Equal("ftp-data", retr["application"]?.GetValue<string>());
        var retrFile = Assert.Single(retr["files"]!["items"]!.AsArray())!;
        Assert.Equal(Sha(_retrieved), retrFile["sha256"]?.GetValue<string>());
        Assert.Equal(("RETR", "customers.db", "download"),
            (retrFile["command"]!.GetValue<string>(), retrFile["name"]!.GetValue<string>(), retrFile["direction"]!.GetValue<string>()));
        Assert.Equal((1L, retrControl["id"]!.GetValue<long>()), (retrFile["controlSegment"]!.GetValue<long>(), retrFile["controlSession"]!.GetValue<long>()));

        var stor = Session(second, "10.0.0.21", 40002);
        Assert.Equal("ftp-data", stor["application"]?.GetValue<string>());
        var storFile = Assert.Single(stor["files"]!["items"]!.AsArray())!;
        Assert.Equal(Sha(_stored), storFile["sha256"]?.GetValue<string>());
        Assert.Equal(("STOR", "loot.tar", "upload"),
            (storFile["command"]!.GetValue<string>(), storFile["name"]!.GetValue<string>(), storFile["direction"]!.GetValue<string>()));
        Assert.Equal((1L, storControl["id"]!.GetValue<long>()), (storFile["controlSegment"]!.GetValue<long>(), storFile["controlSession"]!.GetValue<long>()));

        // The control sessions say in segment 1 what was still waiting when it ended.
        var waiting = Assert.Single(retrControl["ftpWaitingData"]!.AsArray())!;
        Assert.Equal(("10.0.0.21", 40001, true, "RETR"), (waiting["address"]!.GetValue<string>(), waiting["port"]!.GetValue<int>(),
            waiting["passive"]!.GetValue<bool>(), waiting["command"]!.GetValue<string>()));
        Assert.False(Assert.Single(storControl["ftpWaitingData"]!.AsArray())!["passive"]!.GetValue<bool>());
    }

    [Fact]
    public void CarriedAnnouncement_UnusedOrOlderThanTheLimit_ClaimsNothing()
    {
        var store = ImportedStore();
        var first = Records(store, 1);
        var second = Records(store, 2);

        // Never used: recorded as waiting in segment 1; nothing in segment 2 is tied to it.
        var unused = Assert.Single(Session(first, "10.0.0.3", 21)["ftpWaitingData"]!.AsArray())!;
        Assert.Equal(40003, unused["port"]!.GetValue<int>());
        Assert.Null(unused["command"]);
        var other = Session(second, "10.0.0.3", 40013);
        Assert.NotEqual("ftp-data", other["application"]?.GetValue<string>());

        // Announced in segment 1, opened six minutes later (TCP idle timeout: five): not claimed.
        var lateControl = Session(first, "10.0.0.4", 21);
        Assert.Equal(40004, Assert.Single(lateControl["ftpWaitingData"]!.AsArray())!["port"]!.GetValue<int>());
        var late = Session(second, "10.0.0.4", 40004);
        Assert.NotEqual("ftp-data", late["application"]?.GetValue<string>());
        Assert.Null(late["files"]);
        Assert.DoesNotContain(second, r => r["files"]?["sha256"]?.AsArray().Any(h => h!.GetValue<string>() == Sha(_late)) == true);

        // Exactly the two data connections of the other test are claimed across the boundary.
        Assert.Equal(2, second.Count(r => r["application"]?.GetValue<string>() == "ftp-data"));
    }

    [Fact]
    public void Extract_FileWhoseControlSessionIsInThePreviousSegment_WritesItWithControlSegment()
    {
        var store = ImportedStore();
        var controlId = Session(Records(store, 1), "10.0.0.1", 21)["id"]!.GetValue<long>();
        var sha = Sha(_retrieved);
        var output = _directory.File("out");

        var result = Cli.Run("--store", store, "files", "extract", "--sha256", sha, "--case", "CASE-12", "--reason", "exfiltration", "--out", output, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(_retrieved, File.ReadAllBytes(Path.Combine(output, $"{sha}-customers.db")));
        var sidecar = JsonNode.Parse(File.ReadAllText(result.Json["sidecar"]!.GetValue<string>()))!;
        Assert.Equal(2, sidecar["segmentId"]!.GetValue<long>());
        Assert.Equal((1L, controlId), (sidecar["controlSegmentId"]!.GetValue<long>(), sidecar["controlSessionId"]!.GetValue<long>()));
    }

    [Fact]
    public void Rebuild_OfBothSegments_GivesTheSameBytes()
    {
        var store = ImportedStore();
        var before = new[] { 1L, 2L }.Select(id => Sha(File.ReadAllBytes(SessionsFile(store, id)))).ToList();

        var rebuild = Cli.Run("--store", store, "sessions", "index", "--all");

        Assert.True(rebuild.ExitCode == 0, rebuild.ToString());
        Assert.Equal(before, new[] { 1L, 2L }.Select(id => Sha(File.ReadAllBytes(SessionsFile(store, id)))));
    }

    private string ImportedStore()
    {
        var store = _directory.File("store");
        foreach (var capture in new[] { FirstSegment(), SecondSegment() })
        {
            var path = _directory.File($"ftp-{Guid.NewGuid():N}.pcap");
            CaptureFiles.Write(path, capture.Packets);
            var import = Cli.Run("--store", store, "import", "--sessions", path);
            Assert.True(import.ExitCode == 0, import.ToString());
        }

        return store;
    }

    // Four control sessions, each cut by the segment's end after announcing a data connection.
    private static ScriptedCapture FirstSegment()
    {
        var capture = new ScriptedCapture(Start);
        var retr = Login(capture, "10.0.0.1", 45200);
        retr.Send(true, "PASV\r\n");
        retr.Send(false, "227 Entering Passive Mode (10,0,0,21,156,65)\r\n");
        retr.Send(true, "RETR /export/customers.db\r\n");
        retr.Send(false, "150 Opening BINARY mode data connection (30000 bytes)\r\n");

        var stor = Login(capture, "10.0.0.2", 45300);
        stor.Send(true, "PORT 10,0,0,2,156,66\r\n");
        stor.Send(false, "200 ok\r\n");
        stor.Send(true, "STOR loot.tar\r\n");

        var unused = Login(capture, "10.0.0.3", 45400);
        unused.Send(true, "PASV\r\n");
        unused.Send(false, "227 Entering Passive Mode (10,0,0,21,156,67)\r\n");

        var late = Login(capture, "10.0.0.4", 45500);
        late.Send(true, "PASV\r\n");
        late.Send(false, "227 Entering Passive Mode (10,0,0,21,156,68)\r\n");
        late.Send(true, "RETR old.bin\r\n");
        return capture;
    }

    private ScriptedCapture SecondSegment()
    {
        var capture = new ScriptedCapture(Start + Minute);
        var retr = new ScriptedFlow(capture, "10.0.0.1", 45201, "10.0.0.21", 40001);
        retr.Send(false, _retrieved);
        retr.Close(serverFirst: true);

        var stor = new ScriptedFlow(capture, "10.0.0.21", 20, "10.0.0.2", 40002);
        stor.Send(false, _stored);
        stor.Close(serverFirst: true);

        // A connection beside the unused announcement's port.
        var other = new ScriptedFlow(capture, "10.0.0.21", 20, "10.0.0.3", 40013);
        other.Send(false, Random(2_000, 14));
        other.Close(serverFirst: true);

        capture.Skip(6 * Minute);
        var late = new ScriptedFlow(capture, "10.0.0.4", 45501, "10.0.0.21", 40004);
        late.Send(false, _late);
        late.Close(serverFirst: true);
        return capture;
    }

    private static ScriptedFlow Login(ScriptedCapture capture, string client, ushort port)
    {
        var control = new ScriptedFlow(capture, client, port, "10.0.0.21", 21);
        control.Send(false, "220 FTP ready\r\n");
        control.Send(true, "USER alice\r\n");
        control.Send(false, "331 password\r\n");
        control.Send(true, "PASS x\r\n");
        control.Send(false, "230 ok\r\n");
        return control;
    }

    private static JsonNode Session(List<JsonNode> records, string client, int serverPort) =>
        records.Single(r => (r["client"]!.GetValue<string>() == client || r["server"]!.GetValue<string>() == client) && r["serverPort"]!.GetValue<int>() == serverPort);

    private static List<JsonNode> Records(string store, long segment) =>
        Encoding.UTF8.GetString(Recorder.Storage.Sessions.SessionBlockFile.DecompressAll(SessionsFile(store, segment)))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();

    private static string SessionsFile(string store, long id) =>
        Path.Combine(store, "segments", "000000", id.ToString("D12", System.Globalization.CultureInfo.InvariantCulture) + ".sessions.jsonl.zst");

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
