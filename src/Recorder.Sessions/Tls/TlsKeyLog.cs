using System.Text;

namespace Recorder.Sessions.Tls;

/// <summary>One secret of an NSS key log: its label, the client random naming the connection, and the secret (hex as written).</summary>
/// <param name="Label">CLIENT_RANDOM (TLS ≤ 1.2 master secret) or a TLS 1.3 secret's label.</param>
/// <param name="ClientRandom">The connection's client random, lower-case hex (64 digits).</param>
/// <param name="Secret">The secret, lower-case hex.</param>
/// <param name="Line">Its line number in the file (from 1).</param>
public sealed record TlsKeyLogEntry(string Label, string ClientRandom, string Secret, int Line);

/// <summary>A line of a key log that is not a secret the format defines, with where it is.</summary>
/// <param name="Line">Line number (from 1).</param>
/// <param name="Problem">What is wrong with it.</param>
public sealed record TlsKeyLogProblem(int Line, string Problem);

/// <summary>
/// A TLS key log in the NSS format (<c>SSLKEYLOGFILE</c>, the IETF draft "The SSLKEYLOGFILE Format for
/// TLS"): lines <c>LABEL CLIENT_RANDOM SECRET</c>, both hex; <c>#</c> comments and blank lines. Parsing
/// never throws: every line that is not a known label with a 32-byte client random and a hex secret of
/// the label's size is a problem naming its line (the file as a whole is still evidence).
/// </summary>
public sealed class TlsKeyLog
{
    /// <summary>Labels and the secret sizes they allow (bytes): TLS ≤ 1.2's 48-byte master secret, TLS 1.3's hash-sized secrets.</summary>
    public static readonly IReadOnlyDictionary<string, int[]> Labels = new Dictionary<string, int[]>(StringComparer.Ordinal)
    {
        ["CLIENT_RANDOM"] = [48],
        ["CLIENT_EARLY_TRAFFIC_SECRET"] = [32, 48],
        ["CLIENT_HANDSHAKE_TRAFFIC_SECRET"] = [32, 48],
        ["SERVER_HANDSHAKE_TRAFFIC_SECRET"] = [32, 48],
        ["CLIENT_TRAFFIC_SECRET_0"] = [32, 48],
        ["SERVER_TRAFFIC_SECRET_0"] = [32, 48],
        ["EARLY_EXPORTER_SECRET"] = [32, 48],
        ["EXPORTER_SECRET"] = [32, 48],
    };

    private TlsKeyLog(IReadOnlyList<TlsKeyLogEntry> entries, IReadOnlyList<TlsKeyLogProblem> problems)
    {
        Entries = entries;
        Problems = problems;
    }

    /// <summary>The secrets, in file order.</summary>
    public IReadOnlyList<TlsKeyLogEntry> Entries { get; }

    /// <summary>Lines that are not secrets (each named).</summary>
    public IReadOnlyList<TlsKeyLogProblem> Problems { get; }

    /// <summary>The client randoms the log has secrets for.</summary>
    public IReadOnlySet<string> ClientRandoms => Entries.Select(e => e.ClientRandom).ToHashSet(StringComparer.Ordinal);

    /// <summary>Parses a key log's text.</summary>
    public static TlsKeyLog Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<TlsKeyLogEntry>();
        var problems = new List<TlsKeyLogProblem>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 3)
            {
                problems.Add(new TlsKeyLogProblem(number, $"{fields.Length} fields, not 3 (LABEL CLIENT_RANDOM SECRET)"));
            }
            else if (!Labels.TryGetValue(fields[0], out var sizes))
            {
                problems.Add(new TlsKeyLogProblem(number, $"unknown label '{(fields[0].Length > 40 ? fields[0][..40] : fields[0])}'"));
            }
            else if (fields[1].Length != 64 || !IsHex(fields[1]))
            {
                problems.Add(new TlsKeyLogProblem(number, "the client random is not 32 bytes of hex"));
            }
            else if (!IsHex(fields[2]) || fields[2].Length % 2 != 0 || !sizes.Contains(fields[2].Length / 2))
            {
                problems.Add(new TlsKeyLogProblem(number, $"the secret is not {string.Join(" or ", sizes)} bytes of hex"));
            }
            else
            {
                entries.Add(new TlsKeyLogEntry(fields[0], fields[1].ToLowerInvariant(), fields[2].ToLowerInvariant(), number));
            }
        }

        return new TlsKeyLog(entries, problems);
    }

    /// <summary>
    /// The secrets of the connections whose client randoms are given, as key log text (the form a
    /// pcapng Decryption Secrets Block of type TLSK carries): only what an extraction needs, never the
    /// whole log.
    /// </summary>
    public string Select(IEnumerable<string> clientRandoms)
    {
        ArgumentNullException.ThrowIfNull(clientRandoms);
        var wanted = clientRandoms.Select(r => r.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var entry in Entries.Where(e => wanted.Contains(e.ClientRandom)))
        {
            text.Append(entry.Label).Append(' ').Append(entry.ClientRandom).Append(' ').Append(entry.Secret).Append('\n');
        }

        return text.ToString();
    }

    private static bool IsHex(string text) => text.All(char.IsAsciiHexDigit) && text.Length > 0;
}
