using System.Security.Cryptography;
using Recorder.Core.Hashing;

namespace Recorder.Benchmarks.Agreement;

/// <summary>
/// The oracle's side: tshark 4.0's conversation tables (<c>-z conv,tcp</c>, <c>-z conv,udp</c>), its
/// DNS, HTTP, TLS, IMF (subject) and FTP (command) fields (<c>-T fields</c>, every occurrence) and
/// <c>--export-objects http</c> and <c>ftp-data</c>.
/// </summary>
public static class TsharkFields
{
    private static readonly (string Field, string TsharkField)[] PacketFields =
    [
        (Fields.DnsQueryNames, "dns.qry.name"),
        (Fields.HttpHosts, "http.host"),
        (Fields.HttpUris, "http.request.uri"),
        (Fields.TlsSni, "tls.handshake.extensions_server_name"),
        (Fields.Ja3, "tls.handshake.ja3"),
        (Fields.Ja3S, "tls.handshake.ja3s"),
        (Fields.CertificateSha256, "tls.handshake.certificate"),
        (Fields.SmtpSubjects, "imf.subject"),
        (Fields.FtpCommands, "ftp.request.command"),
    ];

    public static Dictionary<string, List<string>> Collect(string capture, string work)
    {
        var values = Fields.All.ToDictionary(f => f, _ => new List<string>(), StringComparer.Ordinal);
        var conversations = Run(["-r", capture, "-q", "-z", "conv,tcp", "-z", "conv,udp"]);
        List<string>? section = null;
        foreach (var line in conversations.Split('\n'))
        {
            if (line.StartsWith("TCP Conversations", StringComparison.Ordinal))
            {
                section = values[Fields.TcpSessions];
            }
            else if (line.StartsWith("UDP Conversations", StringComparison.Ordinal))
            {
                section = values[Fields.UdpSessions];
            }
            else if (section is not null && line.Contains("<->", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                section.Add(Fields.Conversation(parts[0], parts[2]));
            }
        }

        // http.host and http.request.uri only from requests, as ours; the others wherever tshark finds them.
        string[] arguments = ["-r", capture, "-Y", "dns or http.request or tls.handshake or imf or ftp.request.command", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
            "-E", "aggregator=|", .. PacketFields.SelectMany(f => new[] { "-e", f.TsharkField })];
        foreach (var line in Run(arguments).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var columns = line.Split('\t');
            for (var i = 0; i < PacketFields.Length && i < columns.Length; i++)
            {
                var field = PacketFields[i].Field;
                if (columns[i].Length == 0)
                {
                    // An HTTP request without Host is an empty host, as ours; elsewhere an empty column is an absent field.
                    if (field == Fields.HttpHosts && columns[2].Length > 0)
                    {
                        values[field].Add(string.Empty);
                    }

                    continue;
                }

                foreach (var value in columns[i].Split('|'))
                {
                    values[field].Add(field == Fields.CertificateSha256 ? Hex.Lower(SHA256.HashData(Convert.FromHexString(value.Replace(":", "", StringComparison.Ordinal)))) : value);
                }
            }
        }

        var objects = Path.Combine(work, "export-objects-" + Path.GetFileName(capture));
        if (Directory.Exists(objects))
        {
            Directory.Delete(objects, recursive: true);
        }

        foreach (var (kind, field) in new[] { ("http", Fields.HttpObjectSha256), ("ftp-data", Fields.FtpObjectSha256) })
        {
            Directory.CreateDirectory(objects);
            Run(["-r", capture, "-q", "--export-objects", kind + "," + objects]);
            foreach (var file in Directory.EnumerateFiles(objects))
            {
                values[field].Add(Hex.Lower(SHA256.HashData(File.ReadAllBytes(file))));
            }

            Directory.Delete(objects, recursive: true);
        }

        return values;
    }

    private static string Run(IEnumerable<string> arguments)
    {
        var result = Processes.Run("tshark", arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"tshark {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Error.Trim()}");
        }

        return result.Output;
    }
}
