using System.Text;
using System.Text.Json.Nodes;
using Recorder.Core.Formats;
using Recorder.Sessions.Tls;
using Recorder.Storage.Query;

namespace Recorder.Application.KeyLogs;

/// <summary>
/// The decryption secrets an extraction carries (or, for classic pcap, could not carry), as its
/// result and its <c>extraction.written</c> entry state them (<see cref="ToJson"/>).
/// </summary>
/// <param name="Enabled">False when the caller turned secrets off (<c>--no-secrets</c>).</param>
/// <param name="Secrets">Secret lines written into the file's Decryption Secrets Blocks.</param>
/// <param name="Connections">TLS connections (client randoms) those secrets are for.</param>
/// <param name="Labels">Secrets written per label.</param>
/// <param name="KeyLogs">Secrets written per stored key log (its SHA-256), in the order first used.</param>
/// <param name="TlsHellosSeen">Packets starting a TLS ClientHello in the output (a retransmitted hello counts again).</param>
/// <param name="NotCarried">Matching secrets that the output format could not carry (classic pcap asked for).</param>
/// <param name="NotCarriedReason">Why they were not carried, or null.</param>
/// <param name="Unusable">Stored key logs that could not be used (missing, or changed since their import).</param>
public sealed record ExtractionSecrets(
    bool Enabled,
    int Secrets,
    int Connections,
    IReadOnlyDictionary<string, int> Labels,
    IReadOnlyList<(string Sha256, int Secrets)> KeyLogs,
    int TlsHellosSeen,
    int NotCarried,
    string? NotCarriedReason,
    IReadOnlyList<UnusableKeyLog> Unusable)
{
    /// <summary>Secrets turned off: nothing looked at, nothing carried.</summary>
    public static ExtractionSecrets Disabled { get; } = new(false, 0, 0, new Dictionary<string, int>(), [], 0, 0, null, []);

    /// <summary>The <c>secrets</c> object of the extraction's result and ledger entry (docs/ledger-actions.md).</summary>
    public JsonObject ToJson() => new()
    {
        ["enabled"] = Enabled,
        ["count"] = Secrets,
        ["connections"] = Connections,
        ["labels"] = new JsonObject(Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => new KeyValuePair<string, JsonNode?>(l.Key, l.Value))),
        ["keyLogs"] = new JsonArray(KeyLogs.Select(k => (JsonNode)new JsonObject { ["sha256"] = k.Sha256, ["secrets"] = k.Secrets }).ToArray()),
        ["tlsHellosSeen"] = TlsHellosSeen,
        ["notCarried"] = NotCarried,
        ["notCarriedReason"] = NotCarriedReason,
        ["keyLogsUnusable"] = new JsonArray(Unusable.Select(u => (JsonNode)new JsonObject { ["sha256"] = u.Sha256, ["problem"] = u.Problem }).ToArray()),
    };

    /// <summary>One line for people: what the file carries, and what it could not.</summary>
    public string Describe()
    {
        if (!Enabled)
        {
            return "decryption secrets: none (turned off with --no-secrets)";
        }

        var text = new StringBuilder($"decryption secrets: {Secrets} for {Connections} TLS connection(s); {TlsHellosSeen} packet(s) in the output start a ClientHello");
        if (KeyLogs.Count > 0)
        {
            text.Append(" (").Append(string.Join(", ", Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Value} {l.Key}")))
                .Append("; from key log ").Append(string.Join(", ", KeyLogs.Select(k => k.Sha256))).Append(')');
        }

        if (NotCarried > 0)
        {
            text.Append($"; {NotCarried} matching secret(s) NOT carried: {NotCarriedReason}");
        }

        foreach (var unusable in Unusable)
        {
            text.Append($"; key log {unusable.Sha256} not used: {unusable.Problem}");
        }

        return text.ToString();
    }
}

/// <summary>
/// Passes an extraction's packets to its output and, in front of the packet that carries a TLS
/// ClientHello whose client random a stored key log has secrets for, writes those secrets as a
/// pcapng Decryption Secrets Block (type TLSK). Decided packet by packet as the extraction streams:
/// a reader applies a block to the packets after it, and the hello comes before every packet its
/// secrets decrypt, so no second pass and no look-ahead is needed, and only the secrets of
/// connections whose hello is in the output are written (never the whole key log). An automatic
/// format becomes pcapng at the first secret (classic pcap has no place for one); when classic pcap
/// was asked for, the matching secrets are counted as not carried, and said so.
/// </summary>
public sealed class SecretsInjectingSink : IQueryPacketSink
{
    private readonly IDecryptionSecretsSink _output;
    private readonly KeyLogSecrets _secrets;
    private readonly HashSet<string> _injected = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> _labels = new(StringComparer.Ordinal);
    private readonly List<(string Sha256, int Secrets)> _keyLogs = [];
    private int _hellos;
    private int _written;
    private int _connections;
    private int _notCarried;

    /// <summary>
    /// Writes into <paramref name="output"/> (a command-line output file, or the service's result and
    /// its chunks) with the secrets of <paramref name="secrets"/>.
    /// </summary>
    public SecretsInjectingSink(IDecryptionSecretsSink output, KeyLogSecrets secrets)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(secrets);
        _output = output;
        _secrets = secrets;
    }

    /// <inheritdoc />
    public void Write(long segmentId, int linkType, long timestampNanoseconds, uint originalLength, ReadOnlySpan<byte> data)
    {
        if (TlsClientRandom.TryFind(linkType, data, out var random))
        {
            _hellos++;
            // Only connections with secrets are remembered (a retransmitted hello gets no second block),
            // so memory follows the key logs, not the number of TLS connections extracted.
            if (_secrets.TryGet(random!, out var secrets) && _injected.Add(random!))
            {
                Inject(secrets);
            }
        }

        _output.Write(segmentId, linkType, timestampNanoseconds, originalLength, data);
    }

    /// <summary>What was carried, once the extraction is complete.</summary>
    public ExtractionSecrets Summary() => new(true, _written, _connections, new Dictionary<string, int>(_labels), [.. _keyLogs], _hellos, _notCarried,
        _notCarried > 0 ? "classic pcap (--format pcap) has no block for decryption secrets; ask for pcapng" : null, _secrets.Unusable);

    private void Inject(IReadOnlyList<KeyLogSecret> secrets)
    {
        var text = new StringBuilder();
        foreach (var secret in secrets)
        {
            text.Append(secret.Line).Append('\n');
        }

        if (!_output.TryWriteDecryptionSecrets(PcapngBlocks.TlsKeyLogSecrets, Encoding.ASCII.GetBytes(text.ToString())))
        {
            _notCarried += secrets.Count;
            return;
        }

        _connections++;
        _written += secrets.Count;
        foreach (var secret in secrets)
        {
            _labels[secret.Label] = _labels.GetValueOrDefault(secret.Label) + 1;
            var index = _keyLogs.FindIndex(k => k.Sha256 == secret.KeyLogSha256);
            if (index < 0)
            {
                _keyLogs.Add((secret.KeyLogSha256, 1));
            }
            else
            {
                _keyLogs[index] = (secret.KeyLogSha256, _keyLogs[index].Secrets + 1);
            }
        }
    }
}
