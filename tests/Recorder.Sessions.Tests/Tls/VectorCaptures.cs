using Recorder.Sessions.Quic;
using Recorder.Sessions.Tls;

namespace Recorder.Sessions.Tests.Tls;

/// <summary>A conversation of a vector capture run through our parsers.</summary>
internal sealed record ParsedConversation(Conversation Conversation, TlsClientHello? ClientHello, TlsServerHello? ServerHello,
    IReadOnlyList<TlsCertificate> Certificates);

internal static class VectorCaptures
{
    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "TestData", "ja4", file);

    public static List<ParsedConversation> Parse(string file)
    {
        var parsed = new List<ParsedConversation>();
        foreach (var conversation in CaptureConversations.Read(PathOf(file)))
        {
            if (conversation.Transport == "tcp")
            {
                var parser = new TlsStreamParser();
                foreach (var (fromClient, bytes, gap) in conversation.Items)
                {
                    if (gap)
                    {
                        parser.Gap(fromClient);
                    }

                    parser.Feed(fromClient, bytes);
                }

                var result = parser.Result;
                parsed.Add(new ParsedConversation(conversation, result.ClientHello, result.ServerHello, result.Certificates));
            }
            else
            {
                var parser = new QuicInitialParser();
                foreach (var (fromClient, bytes, _) in conversation.Items)
                {
                    parser.Feed(fromClient, bytes);
                }

                var result = parser.Result;
                parsed.Add(new ParsedConversation(conversation, result.ClientHello, result.ServerHello, []));
            }
        }

        return parsed;
    }

    /// <summary>The entries of a FoxIO Rust snapshot (<c>- stream: …</c> blocks of <c>key: value</c> lines).</summary>
    public static List<Dictionary<string, string>> Snapshot(string file)
    {
        var entries = new List<Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        foreach (var line in File.ReadLines(PathOf(file + ".snap")))
        {
            if (line.StartsWith("- stream:", StringComparison.Ordinal))
            {
                current = [];
                entries.Add(current);
                continue;
            }

            if (current is null || !line.StartsWith("  ", StringComparison.Ordinal) || line.StartsWith("   ", StringComparison.Ordinal)
                || line.StartsWith("  -", StringComparison.Ordinal))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                current[line[2..colon]] = line[(colon + 1)..].Trim().Trim('\'');
            }
        }

        return entries;
    }
}
