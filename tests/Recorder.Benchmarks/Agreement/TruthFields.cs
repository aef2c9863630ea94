using Recorder.Synthesis.Content;

namespace Recorder.Benchmarks.Agreement;

/// <summary>The content synthesizer's truth as values per field (every field the comparison prints).</summary>
public static class TruthFields
{
    public static Dictionary<string, List<string>> From(ContentTruth truth)
    {
        ArgumentNullException.ThrowIfNull(truth);
        string Key(ContentSession s) => Fields.Conversation($"{s.Client}:{s.ClientPort}", $"{s.Server}:{s.ServerPort}");
        return new Dictionary<string, List<string>>(StringComparer.Ordinal)
        {
            [Fields.TcpSessions] = truth.Sessions.Where(s => s.Protocol == "tcp").Select(Key).ToList(),
            [Fields.UdpSessions] = truth.Sessions.Where(s => s.Protocol == "udp").Select(Key).ToList(),
            [Fields.DnsQueryNames] = [.. truth.DnsQueryNames],
            [Fields.HttpHosts] = truth.HttpRequests.Select(r => r.Host).ToList(),
            [Fields.HttpUris] = truth.HttpRequests.Select(r => r.Uri).ToList(),
            [Fields.TlsSni] = [.. truth.TlsHandshakes.Select(h => h.ServerName), .. truth.QuicConnections.Select(q => q.ServerName)],
            [Fields.Ja3] = [.. truth.TlsHandshakes.Select(h => h.Ja3), .. truth.QuicConnections.Select(q => q.Ja3)],
            [Fields.Ja3S] = [.. truth.TlsHandshakes.Select(h => h.Ja3S), .. truth.QuicConnections.Select(q => q.Ja3S)],
            [Fields.CertificateSha256] = truth.TlsHandshakes.Select(h => h.CertificateSha256).ToList(),
            [Fields.HttpObjectSha256] = truth.HttpObjects.Select(o => o.Sha256).ToList(),
            [Fields.SmtpSubjects] = truth.SmtpMessages.Select(m => m.Subject).ToList(),
            [Fields.FtpCommands] = truth.FtpSessions.SelectMany(f => f.Commands).ToList(),
            [Fields.FtpObjectSha256] = truth.FtpSessions.SelectMany(f => f.Transfers).Select(t => t.File.Sha256).ToList(),
        };
    }
}
