using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recorder.Core.Store;

namespace Recorder.TestSupport;

/// <summary>
/// docs/ledger-actions.md read as data: each documented action with the field names its section
/// lists, and a check of a real ledger against it (every action documented, every subjects and
/// details field listed in its action's section).
/// </summary>
public static partial class LedgerDocumentation
{
    private static readonly Lazy<Dictionary<string, HashSet<string>>> Parsed = new(Parse);

    /// <summary>Each documented action and the field names its section lists (backticked words, and the last part of a dotted one).</summary>
    public static IReadOnlyDictionary<string, HashSet<string>> Sections => Parsed.Value;

    /// <summary>Every action and field of <paramref name="ledgerFile"/> (a <c>ledger.jsonl</c>) the docs do not list; empty when all are.</summary>
    public static IReadOnlyList<string> Undocumented(string ledgerFile, ISet<string>? actionsSeen = null)
    {
        var problems = new List<string>();
        if (!File.Exists(ledgerFile))
        {
            return problems;
        }

        foreach (var line in File.ReadLines(ledgerFile))
        {
            var entry = JsonNode.Parse(line)!.AsObject();
            if (entry["action"]?.GetValue<string>() is not { } action)
            {
                continue;
            }

            actionsSeen?.Add(action);
            if (!LedgerActions.IsKnown(action) || !Sections.TryGetValue(action, out var fields))
            {
                problems.Add($"{action}: not in LedgerActions or not documented");
                continue;
            }

            foreach (var part in (string[])["subjects", "details"])
            {
                foreach (var (field, _) in entry[part]?.AsObject() ?? [])
                {
                    if (!fields.Contains(field))
                    {
                        problems.Add($"{action}: {part}.{field} is written but not documented in docs/ledger-actions.md");
                    }
                }
            }
        }

        return problems.Distinct().ToList();
    }

    private static Dictionary<string, HashSet<string>> Parse()
    {
        var sections = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var current = new List<HashSet<string>>();
        foreach (var line in File.ReadLines(Path.Combine(ExternalTools.RepositoryRoot, "docs", "ledger-actions.md")))
        {
            if (line.StartsWith('#'))
            {
                current = [];
                foreach (Match name in Backticked().Matches(line))
                {
                    if (!sections.TryGetValue(name.Groups[1].Value, out var fields))
                    {
                        sections[name.Groups[1].Value] = fields = new HashSet<string>(StringComparer.Ordinal);
                    }

                    current.Add(fields);
                }

                continue;
            }

            foreach (Match word in Backticked().Matches(line))
            {
                var value = word.Groups[1].Value;
                foreach (var fields in current)
                {
                    fields.Add(value);
                    fields.Add(value[(value.LastIndexOf('.') + 1)..]);
                }
            }
        }

        return sections;
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();
}
