using System.Text.Json;
using CsCheck;
using Recorder.Sessions.Search;
using Recorder.Sessions.Tls;
using Recorder.TestSupport;
using static Recorder.Sessions.Tests.Tls.HelloRetryExchange;

namespace Recorder.Sessions.Tests.Tls;

/// <summary>
/// A HelloRetryRequest exchange (RFC 8446 §4.1.4): both ClientHellos are kept (the first where it
/// always was, the second beside it), the server's real ServerHello replaces its HelloRetryRequest,
/// in any splitting, with or without the server's side, through the session table and its search;
/// damaged and hostile variants never throw and never invent a hello.
/// </summary>
public sealed class HelloRetryRequestTests
{
    private static readonly TlsClientHello First = Alone(FirstHello);
    private static readonly TlsClientHello Second = Alone(SecondHello);

    [Fact]
    public void Exchange_KeepsTheFirstClientHello_TheSecondAsRetry_AndTheRealServerHello()
    {
        var result = Feed(Writes);

        Assert.NotEqual(First.Ja3, Second.Ja3);
        Assert.NotEqual(First.Ja4, Second.Ja4);
        Assert.Equal(First, result.ClientHello, HelloComparer.Instance);
        Assert.Equal(Second, result.RetryClientHello, HelloComparer.Instance);
        Assert.Equal(ServerName, result.RetryClientHello!.ServerName);
        Assert.True(result.HelloRetryRequest);
        Assert.False(result.ServerHello!.IsHelloRetryRequest);
        Assert.Equal(0x0304, result.ServerHello.SelectedVersion);
        Assert.Equal(TlsDirectionState.Encrypted, result.Client.State);
        Assert.Equal(TlsDirectionState.Encrypted, result.Server.State);
        Assert.Null(result.Client.Truncated);
    }

    [Fact]
    public void ClientSideOnly_SecondHelloIsStillRead()
    {
        // As in tls-sni.pcapng: the capture holds the client's side only.
        var parser = new TlsStreamParser();
        parser.Feed(true, ClientStream);
        var result = parser.Result;

        Assert.Equal(First, result.ClientHello, HelloComparer.Instance);
        Assert.Equal(Second, result.RetryClientHello, HelloComparer.Instance);
        Assert.False(result.HelloRetryRequest);
        Assert.Null(result.ServerHello);
        Assert.Equal(TlsDirectionState.Encrypted, result.Client.State);
    }

    [Fact]
    public void AnySplittingAndInterleaving_GivesTheSameResult()
    {
        var expected = Describe(Feed(Writes));
        Gen.Int[1, 90].Array[1, 40].Select(Gen.Int[1, 90].Array[1, 40], Gen.Bool.Array[1, 40]).Sample((clientCuts, serverCuts, order) =>
        {
            var parser = new TlsStreamParser();
            int clientAt = 0, serverAt = 0, i = 0;
            while (clientAt < ClientStream.Length || serverAt < ServerStream.Length)
            {
                var clientFirst = order[i % order.Length];
                for (var side = 0; side < 2; side++)
                {
                    if ((side == 0) == clientFirst)
                    {
                        var c = Math.Min(clientCuts[i % clientCuts.Length], ClientStream.Length - clientAt);
                        parser.Feed(true, ClientStream.AsSpan(clientAt, c));
                        clientAt += c;
                    }
                    else
                    {
                        var s = Math.Min(serverCuts[i % serverCuts.Length], ServerStream.Length - serverAt);
                        parser.Feed(false, ServerStream.AsSpan(serverAt, s));
                        serverAt += s;
                    }
                }

                i++;
            }

            Assert.Equal(expected, Describe(parser.Result));
        }, iter: 500);
    }

    [Fact]
    public void SessionTable_SegmentsOutOfOrder_RecordsBothHellos_AndTheSearchFindsEither()
    {
        var conversation = new Traffic.Conversation(serverPort: 443);
        var segments = new List<byte[]>();
        segments.AddRange(Pieces(ClientStream, 37).Select(p => conversation.FromClient(p.Offset, p.Bytes)));
        segments.AddRange(Pieces(ServerStream, 53).Select(p => conversation.FromServer(p.Offset, p.Bytes)));
        var random = new Random(12);
        var shuffled = segments.OrderBy(_ => random.Next()).ToList();

        var record = Assert.Single(Traffic.Run(conversation.Handshake().Concat(shuffled)));
        var tls = Assert.IsType<TlsSessionMetadata>(record.Metadata).Tls!;
        Assert.Equal(First.Ja3, tls.ClientHello!.Ja3);
        Assert.Equal(Second.Ja3, tls.RetryClientHello!.Ja3);

        var document = SessionDocument.From(record, segmentId: 7, continuesPreviousSegment: false);
        Assert.True(document.TlsHelloRetryRequest);
        Assert.Equal(First.Ja3, document.Ja3);
        Assert.Equal(First.Ja4, document.Ja4);
        Assert.Equal(Second.Ja3, document.TlsRetryJa3);
        Assert.Equal(Second.Ja4, document.TlsRetryJa4);
        Assert.Null(document.TlsRetrySni);

        // The JSON line keeps the new fields; read back, the search matches either hello's fingerprints.
        var read = SessionDocumentJson.Read(Line(document));
        Assert.Equal(Line(document), Line(read));
        foreach (var arguments in new[]
                 {
                     new SessionFilterArguments { Ja3 = First.Ja3 }, new SessionFilterArguments { Ja3 = Second.Ja3.ToUpperInvariant() },
                     new SessionFilterArguments { Ja4 = First.Ja4 }, new SessionFilterArguments { Ja4 = Second.Ja4 },
                     new SessionFilterArguments { Sni = "*.example" },
                 })
        {
            Assert.True(Filter(arguments).Matches(read), JsonSerializer.Serialize(arguments));
        }

        Assert.False(Filter(new SessionFilterArguments { Ja3 = new string('0', 32) }).Matches(read));
        Assert.False(Filter(new SessionFilterArguments { Ja4 = Second.Ja4 + "x" }).Matches(read));
    }

    [Fact]
    public void ClientSideOnly_RecordKeepsTheSecondHello_ButDoesNotClaimARetryRequestItNeverSaw()
    {
        var conversation = new Traffic.Conversation(serverPort: 443);
        var record = Assert.Single(Traffic.Run(conversation.Handshake().Append(conversation.FromClient(0, ClientStream))));
        var document = SessionDocument.From(record, 7, false);

        Assert.False(document.TlsHelloRetryRequest);
        Assert.Equal(Second.Ja3, document.TlsRetryJa3);
        Assert.Equal(Second.Ja4, document.TlsRetryJa4);
        var line = System.Text.Encoding.UTF8.GetString(Line(document));
        Assert.DoesNotContain("helloRetryRequest", line, StringComparison.Ordinal);
        Assert.Contains($"\"retryJa3\":\"{Second.Ja3}\"", line, StringComparison.Ordinal);
        Assert.True(Filter(new SessionFilterArguments { Ja3 = Second.Ja3 }).Matches(SessionDocumentJson.Read(Line(document))));
    }

    [Fact]
    public void RecordWithoutRetry_KeepsItsJsonBytes_AndAnOldLineReadsAsNoRetry()
    {
        var conversation = new Traffic.Conversation(serverPort: 443);
        var record = Assert.Single(Traffic.Run(conversation.Handshake().Append(conversation.FromClient(0, [.. Record(22, FirstHello), .. Encrypted(40)]))));
        var document = SessionDocument.From(record, 7, false);
        var line = System.Text.Encoding.UTF8.GetString(Line(document));

        Assert.False(document.TlsHelloRetryRequest);
        Assert.DoesNotContain("retry", line, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"\"ja3\":\"{First.Ja3}\"", line, StringComparison.Ordinal);
        var read = SessionDocumentJson.Read(Line(document));
        Assert.False(read.TlsHelloRetryRequest);
        Assert.Null(read.TlsRetryJa3);
    }

    [Fact]
    public void RetryRequestWithNoSecondHello_KeepsOneHello_AndSaysThereWasARetryRequest()
    {
        var result = Feed(
        [
            (true, Record(22, FirstHello)), (false, [.. Record(22, RetryRequest), .. ChangeCipherSpec]), (true, [.. ChangeCipherSpec, .. Encrypted(60)]),
        ]);

        Assert.Equal(First.Ja3, result.ClientHello!.Ja3);
        Assert.Null(result.RetryClientHello);
        Assert.True(result.HelloRetryRequest);
        Assert.True(result.ServerHello!.IsHelloRetryRequest);
        Assert.Equal(TlsDirectionState.Encrypted, result.Client.State);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SecondMessageThatIsNotAClientHello_IsNotKept_AndTheDirectionEndsEncrypted(bool serverSeen)
    {
        // A Finished (type 20) where the second hello would be, with and without the server's HelloRetryRequest.
        var finished = Message(20, new byte[32]);
        var writes = new List<(bool, byte[])> { (true, Record(22, FirstHello)) };
        if (serverSeen)
        {
            writes.Add((false, Record(22, RetryRequest)));
        }

        writes.Add((true, [.. ChangeCipherSpec, .. Record(22, finished), .. Record(22, SecondHello)]));
        var result = Feed(writes);

        Assert.Null(result.RetryClientHello);
        Assert.Equal(TlsDirectionState.Encrypted, result.Client.State);
        // Counted as if the direction had stopped at the ChangeCipherSpec (the record after it was ciphertext).
        Assert.Equal(2, result.Client.Records);
    }

    [Fact]
    public void ServerChoseARealServerHello_RecordAfterTheClientsChangeCipherSpecIsNotAHello()
    {
        // The server answered without a retry (here TLS 1.2-style: its ServerHello is in the clear and the
        // client's ChangeCipherSpec starts encryption): even bytes shaped like a ClientHello are ciphertext.
        var result = Feed([(true, Record(22, FirstHello)), (false, Record(22, RealServerHello)), (true, [.. ChangeCipherSpec, .. Record(22, SecondHello)])]);

        Assert.Null(result.RetryClientHello);
        Assert.Equal(TlsDirectionState.Encrypted, result.Client.State);
    }

    [Fact]
    public void ClientSideOnly_HandshakeRecordAfterChangeCipherSpecThatItsLengthBelies_IsCiphertext()
    {
        // TLS 1.2's encrypted Finished may begin with 0x01 by chance; its "length" does not then fill the record.
        byte[] fake = [1, 0, 0, 60, .. new byte[36]];
        var parser = new TlsStreamParser();
        parser.Feed(true, [.. Record(22, FirstHello), .. ChangeCipherSpec, .. Record(22, fake)]);

        Assert.Null(parser.Result.RetryClientHello);
        Assert.Equal(TlsDirectionState.Encrypted, parser.Result.Client.State);
    }

    [Fact]
    public void ClientWithoutTls13_ChangeCipherSpecEndsTheClearText()
    {
        var parser = new TlsStreamParser();
        parser.Feed(true, Record(22, Tls12Hello));
        Assert.Empty(parser.Result.ClientHello!.SupportedVersions);
        parser.Feed(true, [.. ChangeCipherSpec, .. Record(22, SecondHello)]);

        Assert.Null(parser.Result.RetryClientHello);
        Assert.Equal(TlsDirectionState.Encrypted, parser.Result.Client.State);
    }

    [Fact]
    public void GarbageAfterTheRetryRequest_NeverThrows_AndNeverChangesTheFirstHellos()
    {
        Gen.Byte.Array[0, 255].Select(Gen.Byte.Array[0, 255], Gen.Bool).Sample((clientTail, serverTail, withHeader) =>
        {
            var parser = new TlsStreamParser();
            parser.Feed(true, Record(22, FirstHello));
            parser.Feed(false, [.. Record(22, RetryRequest), .. ChangeCipherSpec]);
            // Half the cases put a handshake record header first, so the garbage reaches the hello readers.
            parser.Feed(true, withHeader ? [.. ChangeCipherSpec, 22, 3, 3, 0, .. Length(clientTail), .. clientTail] : clientTail);
            parser.Feed(false, withHeader ? [22, 3, 3, 0, .. Length(serverTail), .. serverTail] : serverTail);
            var result = parser.Result;

            Assert.Equal(First.Ja3, result.ClientHello!.Ja3);
            Assert.True(result.HelloRetryRequest);
            Assert.NotNull(result.ServerHello);
            Assert.True(result.RetryClientHello is null || (withHeader && clientTail is [1, ..]));
        }, iter: 3000);
    }

    [SkippableFact]
    public void SyntheticCapture_EveryClientHelloTsharkShows_IsOneOfTheSessionsHellos()
    {
        ExternalTools.Require("tshark", "tshark");
        using var directory = new TempDirectory();
        var capture = Path.Combine(directory.Path, "hrr.pcap");
        SyntheticTcpCapture.Write(capture, Writes);

        var rows = Tshark.Hellos(capture, "tls.handshake.ja3", "tls.handshake.ja3_full", "tls.handshake.extensions_server_name");
        var clientRows = rows.Where(r => r["tls.handshake.type"].Split('|').Contains("1")).ToList();
        var result = Feed(Writes);

        Assert.Equal(2, clientRows.Count);
        Assert.Equal(clientRows[0]["tls.handshake.ja3"], result.ClientHello!.Ja3);
        Assert.Equal(clientRows[0]["tls.handshake.ja3_full"], result.ClientHello.Ja3Full);
        Assert.Equal(clientRows[1]["tls.handshake.ja3"], result.RetryClientHello!.Ja3);
        Assert.Equal(clientRows[1]["tls.handshake.ja3_full"], result.RetryClientHello.Ja3Full);
        Assert.Equal(clientRows[1]["tls.handshake.extensions_server_name"], result.RetryClientHello.ServerName);
    }

    /// <summary>The low byte of a record length under 256 (the high byte is written as 0 before it).</summary>
    private static byte[] Length(byte[] body) => [checked((byte)body.Length)];

    private static TlsMetadata Feed(IEnumerable<(bool FromClient, byte[] Bytes)> writes)
    {
        var parser = new TlsStreamParser();
        foreach (var (fromClient, bytes) in writes)
        {
            parser.Feed(fromClient, bytes);
        }

        return parser.Result;
    }

    private static TlsClientHello Alone(byte[] hello)
    {
        var parser = new TlsStreamParser();
        parser.Feed(true, Record(22, hello));
        var parsed = parser.Result.ClientHello!;
        Assert.Null(parsed.Malformed);
        return parsed;
    }

    private static string Describe(TlsMetadata result) =>
        string.Join(" | ", result.ClientHello?.Ja3Full, result.ClientHello?.Ja4, result.RetryClientHello?.Ja3Full, result.RetryClientHello?.Ja4,
            result.ServerHello?.Ja3SFull, result.ServerHello?.IsHelloRetryRequest, result.HelloRetryRequest, result.Client.State, result.Server.State,
            result.Client.Records, result.Server.Records, result.Client.Truncated, result.Server.Truncated);

    private static IEnumerable<(uint Offset, byte[] Bytes)> Pieces(byte[] stream, int size)
    {
        for (var offset = 0; offset < stream.Length; offset += size)
        {
            yield return ((uint)offset, stream.AsSpan(offset, Math.Min(size, stream.Length - offset)).ToArray());
        }
    }

    private static byte[] Line(SessionDocument document)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            SessionDocumentJson.Write(writer, document);
        }

        return buffer.ToArray();
    }

    private static SessionFilter Filter(SessionFilterArguments arguments) => SessionFilter.Parse(arguments).Filter!;

    /// <summary>Hellos compared by what they said (records holding lists compare by reference).</summary>
    private sealed class HelloComparer : IEqualityComparer<TlsClientHello?>
    {
        public static readonly HelloComparer Instance = new();

        public bool Equals(TlsClientHello? x, TlsClientHello? y) =>
            x is not null && y is not null && x.Ja3Full == y.Ja3Full && x.Ja4RawOriginal == y.Ja4RawOriginal && x.ServerName == y.ServerName
            && x.Random == y.Random && x.Malformed == y.Malformed && x.Extensions.SequenceEqual(y.Extensions);

        public int GetHashCode(TlsClientHello? obj) => obj?.Ja3Full.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}
