namespace Recorder.Benchmarks.Agreement;

/// <summary>The fields compared, in the order they are printed; each side gives a multiset of values per field and capture.</summary>
public static class Fields
{
    public const string TcpSessions = "tcp sessions";
    public const string UdpSessions = "udp sessions";
    public const string DnsQueryNames = "dns query names";
    public const string HttpHosts = "http hosts";
    public const string HttpUris = "http uris";
    public const string TlsSni = "tls sni";
    public const string Ja3 = "ja3";
    public const string Ja3S = "ja3s";
    public const string CertificateSha256 = "certificate sha256";
    public const string HttpObjectSha256 = "http object sha256";
    public const string SmtpSubjects = "smtp subjects";
    public const string FtpCommands = "ftp commands";
    public const string FtpObjectSha256 = "ftp object sha256";

    public static IReadOnlyList<string> All { get; } =
        [TcpSessions, UdpSessions, DnsQueryNames, HttpHosts, HttpUris, TlsSni, Ja3, Ja3S, CertificateSha256, HttpObjectSha256, SmtpSubjects, FtpCommands,
            FtpObjectSha256];

    /// <summary>A conversation as tshark's <c>conv</c> tables name it, endpoints in ordinal order so either direction gives the same key.</summary>
    public static string Conversation(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? $"{a} <-> {b}" : $"{b} <-> {a}";
}
