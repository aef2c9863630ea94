using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace Recorder.Cli;

/// <summary>
/// Parse errors as the user should read them: a mistyped command or option gets "did you mean X?"
/// (the closest name the command knows), and a value of the wrong kind is described in words
/// instead of the .NET type System.CommandLine names ("as expected type 'System.Int64'").
/// </summary>
internal static partial class ParseErrors
{
    public static string Describe(ParseError error, ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(parse);
        var message = ExpectedType().Replace(error.Message, match => "as " + Kind(match.Groups["type"].Value));
        foreach (var token in parse.UnmatchedTokens)
        {
            if (message.Contains($"'{token}'", StringComparison.Ordinal) && Closest(token, parse.CommandResult.Command) is { } suggestion)
            {
                return $"{message} Did you mean '{suggestion}'?";
            }
        }

        return message;
    }

    /// <summary>The subcommand or option name nearest to <paramref name="typed"/>, when it is near enough to be a typo.</summary>
    public static string? Closest(string typed, Command command)
    {
        ArgumentNullException.ThrowIfNull(typed);
        ArgumentNullException.ThrowIfNull(command);
        var candidates = command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name))
            .Concat(Options(command).SelectMany(o => o.Aliases.Prepend(o.Name)));

        // Up to one edit in four characters (at least one): "qurey" finds "query", "--hots" finds "--host".
        var allowed = Math.Max(1, typed.TrimStart('-').Length / 4);
        return candidates
            .Select(name => (Name: name, Distance: Distance(typed, name)))
            .Where(c => c.Distance <= allowed)
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name)
            .FirstOrDefault();
    }

    /// <summary>The options valid on <paramref name="command"/>: its own and its ancestors' recursive ones.</summary>
    private static IEnumerable<Option> Options(Command command)
    {
        var options = command.Options.Where(o => !o.Hidden).ToList();
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
        {
            options.AddRange(parent.Options.Where(o => o.Recursive && !o.Hidden));
        }

        return options;
    }

    private static string Kind(string type) => type switch
    {
        _ when type.Contains("UInt", StringComparison.Ordinal) => "a whole number, 0 or more",
        _ when type.Contains("Int", StringComparison.Ordinal) => "a whole number",
        _ when type.Contains("Double", StringComparison.Ordinal) || type.Contains("Decimal", StringComparison.Ordinal) => "a number",
        _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ => "the expected kind of value",
    };

    /// <summary>
    /// Edit distance counting insertions, deletions, substitutions and swaps of two neighbours (the
    /// commonest typo) as one each (optimal string alignment), case-insensitive.
    /// </summary>
    private static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(d[i - 1, j - 1] + cost, Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    [GeneratedRegex(@"as expected type '(?<type>[^']+)'")]
    private static partial Regex ExpectedType();
}
