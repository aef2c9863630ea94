using System.Text;
using System.Text.Json;
using Recorder.Sessions.Files;
using Recorder.Sessions.Ftp;
using Recorder.Sessions.Search;

namespace Recorder.Sessions.Tests.Ftp;

/// <summary>
/// FTP data connections announced in the previous segment: a control session the end of input cut
/// keeps the announcements no connection used (and only then); a carried announcement claims its
/// connection (also on the control server's address, as behind NAT) until its time limit and not
/// after; the file names its control session by segment and id; the record JSON keeps both.
/// </summary>
public sealed class FtpCarriedDataTests
{
    private const long Start = 1_700_000_000_000_000_000L;

    [Fact]
    public void CarriedPassiveAnnouncement_BehindNat_ClaimsTheConnection_AndNamesTheControlSegment()
    {
        // The 227 named the NAT's public address; the connection goes to the control session's server.
        var carried = Carried(address: "198.51.100.7", notAfter: Start);
        var files = new List<TransferredFile>();

        var records = Traffic.Run(DataConnection("10.0.0.1", 50000, "10.0.0.2", 40001, "hello"u8.ToArray()),
            streams: ApplicationSignatures.DefaultStreamFactories(new FileObserver(files.Add), [carried]));

        var data = Assert.Single(records);
        Assert.Equal(FtpIdentification.DataApplication, data.Application);
        var file = Assert.Single(files);
        Assert.Equal((9L, 4L, "RETR", "b.bin", TransferDirection.Download), (file.ControlSessionId, file.ControlSegmentId, file.Command, file.Name, file.Direction));
        Assert.True(file.Complete, file.Issues.ToString());
        Assert.Equal(4L, SessionFile.From(file).ControlSegment);
    }

    [Fact]
    public void CarriedAnnouncement_ClaimsNothing_AfterItsLimit()
    {
        var files = new List<TransferredFile>();

        var records = Traffic.Run(DataConnection("10.0.0.1", 50000, "10.0.0.2", 40001, "hello"u8.ToArray()),
            streams: ApplicationSignatures.DefaultStreamFactories(new FileObserver(files.Add), [Carried(address: "10.0.0.2", notAfter: Start - 1)]));

        Assert.NotEqual(FtpIdentification.DataApplication, Assert.Single(records).Application);
        Assert.Empty(files);
    }

    [Fact]
    public void WaitingData_IsKept_OnlyWhenTheEndOfInputCutTheControlSession()
    {
        var cut = Control(40000, close: false, "PASV", "227 Entering Passive Mode (10,0,0,2,156,65)", "RETR x.bin", "150 here (5 bytes)");
        var closed = Control(40010, close: true, "PASV", "227 Entering Passive Mode (10,0,0,2,156,66)");

        // A second per packet: the closed session's close delay passes while the other one goes on.
        var records = Traffic.Run([.. closed, .. cut], streams: ApplicationSignatures.DefaultStreamFactories(new FileObserver(_ => { }), []),
            stepNanoseconds: 1_000_000_000);

        var waiting = Assert.Single(Metadata(records, 40000).WaitingData);
        Assert.Equal(("10.0.0.2", 40001, true, "RETR", "x.bin", 5L), (waiting.Address, waiting.Port, waiting.Passive, waiting.Command, waiting.Path, waiting.AnnouncedBytes));
        Assert.Empty(Metadata(records, 40010).WaitingData);
        Assert.Equal(SessionEndReason.Closed, records.Single(r => r.Client.Port == 40010).EndReason);
    }

    [Fact]
    public void RecordJson_KeepsWaitingDataAndControlSegment_AndOldLinesReadWithout()
    {
        var control = Control(40000, close: false, "EPSV", "229 Entering Extended Passive Mode (|||40001|)");
        var record = Assert.Single(Traffic.Run(control, streams: ApplicationSignatures.DefaultStreamFactories(new FileObserver(_ => { }), [])));
        var built = SessionDocument.From(record, 3, continuesPreviousSegment: false);
        var document = new SessionDocument
        {
            SegmentId = 3, Id = built.Id, Client = built.Client, Server = built.Server, EndReason = built.EndReason, FtpWaitingData = built.FtpWaitingData,
            Files = [new SessionFile { Protocol = "ftp", Direction = "download", Type = "data", MediaType = "application/octet-stream", Size = 1, ControlSession = 2, ControlSegment = 2 }],
        };

        var first = Write(document);
        var read = SessionDocumentJson.Read(first);

        Assert.Equal(Encoding.UTF8.GetString(first), Encoding.UTF8.GetString(Write(read)));
        Assert.Equal(("10.0.0.2", 40001, true), (read.FtpWaitingData[0].Address, read.FtpWaitingData[0].Port, read.FtpWaitingData[0].Passive));
        Assert.Equal(2L, read.Files[0].ControlSegment);
        var old = Encoding.UTF8.GetString(first).Replace(",\"controlSegment\":2", "", StringComparison.Ordinal);
        old = old[..old.IndexOf(",\"ftpWaitingData\"", StringComparison.Ordinal)] + "}";
        var oldRead = SessionDocumentJson.Read(Encoding.UTF8.GetBytes(old));
        Assert.Empty(oldRead.FtpWaitingData);
        Assert.Null(oldRead.Files[0].ControlSegment);
    }

    private static FtpCarriedData Carried(string address, long notAfter) => new(4, 9, IPv6: false, "10.0.0.1", "10.0.0.2",
        new FtpWaitingData { Address = address, Port = 40001, Passive = true, AnnouncedNanoseconds = Start - 60_000_000_000, Command = "RETR", Path = "/a/b.bin", AnnouncedBytes = 5 },
        notAfter);

    private static FtpSessionMetadata Metadata(List<SessionRecord> records, int clientPort) =>
        Assert.IsType<FtpSessionMetadata>(records.Single(r => r.Client.Port == clientPort).Metadata);

    private static List<byte[]> DataConnection(string client, ushort clientPort, string server, ushort serverPort, byte[] fromServer)
    {
        var c = new Traffic.Conversation(client, clientPort, server, serverPort);
        var length = (uint)fromServer.Length;
        return [.. c.Handshake(), c.FromServer(0, fromServer), c.FromServer(length, [], Traffic.Fin | Traffic.Ack), c.FromClient(0, [], Traffic.Fin | Traffic.Ack),
            c.FromServer(length + 1, [], Traffic.Ack)];
    }

    /// <summary>A logged-in FTP control session to 10.0.0.2:21, then <paramref name="lines"/> as command/reply pairs.</summary>
    private static List<byte[]> Control(ushort clientPort, bool close, params string[] lines)
    {
        var c = new Traffic.Conversation("10.0.0.1", clientPort, "10.0.0.2", 21);
        var frames = new List<byte[]>(c.Handshake());
        uint client = 0, server = 0;
        string[] dialogue = ["220 ready", "USER alice", "230 ok", .. lines];
        for (var i = 0; i < dialogue.Length; i++)
        {
            var fromServer = i % 2 == 0;
            var bytes = Encoding.ASCII.GetBytes(dialogue[i] + "\r\n");
            frames.Add(fromServer ? c.FromServer(server, bytes) : c.FromClient(client, bytes));
            if (fromServer)
            {
                server += (uint)bytes.Length;
            }
            else
            {
                client += (uint)bytes.Length;
            }
        }

        if (close)
        {
            frames.Add(c.FromClient(client, [], Traffic.Fin | Traffic.Ack));
            frames.Add(c.FromServer(server, [], Traffic.Fin | Traffic.Ack));
            frames.Add(c.FromClient(client + 1, [], Traffic.Ack));
        }

        return frames;
    }

    private static byte[] Write(SessionDocument document)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            SessionDocumentJson.Write(writer, document);
        }

        return stream.ToArray();
    }
}
