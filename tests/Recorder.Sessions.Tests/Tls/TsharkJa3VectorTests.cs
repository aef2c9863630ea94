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
}
