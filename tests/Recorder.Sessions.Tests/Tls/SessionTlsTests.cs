using System.Net;
using Recorder.Sessions.Tls;

namespace Recorder.Sessions.Tests.Tls;

/// <summary>
/// TLS and QUIC metadata through the session table (its reassembly and identification, then the
/// parsers' adapters) equal what the parsers give on the same conversations read by the plain test
/// reader, on FoxIO's vector captures (which also pin the fingerprints themselves, see Ja4VectorTests).
/// </summary>
public sealed class SessionTlsTests
{
    public static TheoryData<string> Captures => Ja4VectorTests.Captures;

    [Theory]
    [MemberData(nameof(Captures))]
    public void SessionTable_GivesEachTlsAndQuicSessionTheParsersMetadata(string file)
    {
        var records = Traffic.RunCapture(VectorCaptures.PathOf(file));
        var expected = VectorCaptures.Parse(file).Where(p => p.ClientHello is not null).ToList();
        Assert.NotEmpty(expected);
        foreach (var conversation in expected)
        {
            var session = records.Single(r => r.Client.Port == conversation.Conversation.ClientPort && r.Server.Port == conversation.Conversation.ServerPort
                && r.Format(r.Client) == Address(conversation.Conversation.Client));
            var (clientHello, serverHello) = session.Metadata switch
            {
                TlsSessionMetadata tls => (tls.Tls?.ClientHello, tls.Tls?.ServerHello),
                QuicSessionMetadata quic => (quic.Quic?.ClientHello, quic.Quic?.ServerHello),
                _ => (null, null),
            };
            Assert.True(clientHello is not null, $"{file} {conversation.Conversation.ClientPort}: {session.Application} without a ClientHello");
            Assert.Equal(conversation.Conversation.Transport == "tcp" ? "tls" : "quic", session.Application);
            Assert.Equal(conversation.ClientHello!.Ja4, clientHello.Ja4);
            Assert.Equal(conversation.ClientHello.Ja3, clientHello.Ja3);
            Assert.Equal(conversation.ClientHello.ServerName, clientHello.ServerName);
            Assert.Equal(conversation.ServerHello?.Ja4S, serverHello?.Ja4S);
        }
    }

    private static string Address(string text) => IPAddress.Parse(text).ToString();
}
