using Recorder.Sessions.Search;
using Recorder.Sessions.Tls;

namespace Recorder.Sessions.Tests.Tls;

/// <summary>JA3, JA3S and SNI of the JA4 vector captures (real browser traffic, TCP and QUIC) against tshark 4.0.</summary>
public sealed class TsharkJa3VectorTests
{
    [SkippableTheory]
    [MemberData(nameof(Ja4VectorTests.Captures), MemberType = typeof(Ja4VectorTests))]
    public void Ja3Ja3SAndSni_EqualTshark(string file)
    {
        var rows = Tshark.Hellos(VectorCaptures.PathOf(file), "tls.handshake.ja3", "tls.handshake.ja3_full", "tls.handshake.ja3s",
            "tls.handshake.ja3s_full", "tls.handshake.extensions_server_name", "tls.handshake.ciphersuite");
        var ours = VectorCaptures.Parse(file);
        var compared = 0;
        var seen = new HashSet<string>();
        foreach (var row in rows)
        {
            var udp = row["udp.srcport"].Length > 0;
            var source = udp ? row["udp.srcport"] : row["tcp.srcport"];
            var destination = udp ? row["udp.dstport"] : row["tcp.dstport"];
            var types = row["tls.handshake.type"].Split('|');
            if (types.Contains("1") && seen.Add($"1|{source}|{destination}"))
            {
                var match = ours.Single(p => p.Conversation.ClientPort.ToString() == source && p.Conversation.ServerPort.ToString() == destination
                    && p.Conversation.Transport == (udp ? "udp" : "tcp"));
                Assert.Equal(row["tls.handshake.ja3_full"], match.ClientHello?.Ja3Full);
                Assert.Equal(row["tls.handshake.ja3"], match.ClientHello?.Ja3);
                Assert.Equal(row["tls.handshake.extensions_server_name"], match.ClientHello?.ServerName ?? "");
                compared++;
            }

            if (types.Contains("2") && seen.Add($"2|{source}|{destination}"))
            {
                var match = ours.Single(p => p.Conversation.ServerPort.ToString() == source && p.Conversation.ClientPort.ToString() == destination
                    && p.Conversation.Transport == (udp ? "udp" : "tcp"));
                Assert.Equal(row["tls.handshake.ja3s_full"], match.ServerHello?.Ja3SFull);
                Assert.Equal(row["tls.handshake.ja3s"], match.ServerHello?.Ja3S);
                Assert.Equal(Convert.ToUInt16(row["tls.handshake.ciphersuite"], 16), match.ServerHello?.CipherSuite);
                compared++;
            }
        }

        Assert.True(compared > 0, "tshark found no hello in " + file);
    }

    /// <summary>
    /// Every ClientHello tshark shows, a second one after a HelloRetryRequest included, is on its
    /// session: over TCP a <c>--ja3</c> search of the session table's record finds it, over QUIC (whose
    /// records carry JA4, not JA3) it is one of the session's two hellos.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Ja4VectorTests.Captures), MemberType = typeof(Ja4VectorTests))]
    public void EveryClientHello_IsFoundOnItsSession(string file)
    {
        var rows = Tshark.Hellos(VectorCaptures.PathOf(file), "tls.handshake.ja3");
        var records = Traffic.RunCapture(VectorCaptures.PathOf(file));
        var hellos = 0;
        var perSession = new Dictionary<SessionRecord, int>();
        foreach (var row in rows.Where(r => r["tls.handshake.type"].Split('|').Contains("1")))
        {
            var udp = row["udp.srcport"].Length > 0;
            var source = int.Parse(udp ? row["udp.srcport"] : row["tcp.srcport"], System.Globalization.CultureInfo.InvariantCulture);
            var destination = int.Parse(udp ? row["udp.dstport"] : row["tcp.dstport"], System.Globalization.CultureInfo.InvariantCulture);
            var session = records.Single(r => r.Client.Port == source && r.Server.Port == destination && r.Protocol == (udp ? 17 : 6));
            foreach (var ja3 in row["tls.handshake.ja3"].Split('|'))
            {
                hellos++;
                perSession[session] = perSession.GetValueOrDefault(session) + 1;
                if (session.Metadata is QuicSessionMetadata { Quic: { } quic })
                {
                    Assert.Contains(ja3, new[] { quic.ClientHello?.Ja3, quic.RetryClientHello?.Ja3 });
                    continue;
                }

                var document = SessionDocument.From(session, segmentId: 1, continuesPreviousSegment: false);
                var filter = SessionFilter.Parse(new SessionFilterArguments { Ja3 = ja3 }).Filter!;
                Assert.True(filter.Matches(document), $"{file}: JA3 {ja3} of the ClientHello {source} -> {destination} is not on its session");
            }
        }

        // As many hellos on each session as tshark shows (a second one only after a HelloRetryRequest).
        foreach (var (session, count) in perSession)
        {
            var (first, retry) = session.Metadata switch
            {
                TlsSessionMetadata { Tls: { } tls } => (tls.ClientHello, tls.RetryClientHello),
                QuicSessionMetadata { Quic: { } quic } => (quic.ClientHello, quic.RetryClientHello),
                _ => (null, null),
            };
            Assert.Equal(count, (first is null ? 0 : 1) + (retry is null ? 0 : 1));
        }

        if (file == "tls-sni.pcapng")
        {
            Assert.Equal(84, hellos);
            Assert.Equal(5, records.Count(r => r.Metadata is TlsSessionMetadata { Tls.RetryClientHello: not null }));
        }
    }
}
