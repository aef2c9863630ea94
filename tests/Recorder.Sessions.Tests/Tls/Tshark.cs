using Recorder.TestSupport;

namespace Recorder.Sessions.Tests.Tls;

/// <summary>Runs tshark (the oracle) for TLS handshake fields; skips the test when it is not installed.</summary>
internal static class Tshark
{
    /// <summary>One row per packet with a ClientHello or ServerHello; each field's values as tshark prints them (comma-separated when repeated).</summary>
    public static List<Dictionary<string, string>> Hellos(string capture, params string[] fields)
    {
        var tshark = ExternalTools.Require("tshark", "tshark");
        string[] always = ["tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tls.handshake.type"];
        var all = always.Concat(fields).ToArray();
        var arguments = new List<string> { "-r", capture, "-Y", "tls.handshake.type == 1 || tls.handshake.type == 2", "-T", "fields", "-E", "separator=\t",
            "-E", "occurrence=a", "-E", "aggregator=|" };
        foreach (var field in all)
        {
            arguments.Add("-e");
            arguments.Add(field);
        }

        var (exit, output, error) = ExternalTools.Run(tshark, arguments);
        Assert.True(exit == 0, error);
        var rows = new List<Dictionary<string, string>>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var values = line.Split('\t');
            var row = new Dictionary<string, string>();
            for (var i = 0; i < all.Length; i++)
            {
                row[all[i]] = i < values.Length ? values[i] : "";
            }

            rows.Add(row);
        }

        return rows;
    }
}
