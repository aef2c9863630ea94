using PdfSharp.Drawing;

namespace Recorder.Reporting.Layout;

/// <summary>
/// Greedy word wrapping with measured widths. A word wider than the line is broken: hexadecimal
/// strings (hashes) at the widest multiple of 8 digits that fits, so a SHA-256 splits into even
/// groups; other words after an <c>@</c> or another separator (<c>/ - . _ :</c>) where possible,
/// else at a character.
/// </summary>
internal static class TextWrap
{
    public static IReadOnlyList<string> Wrap(PageFlow flow, string text, XFont font, double width)
    {
        var lines = new List<string>();
        foreach (var hard in text.Split('\n'))
        {
            var current = string.Empty;
            foreach (var word in hard.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = current.Length == 0 ? word : current + " " + word;
                if (flow.TextWidth(candidate, font) <= width)
                {
                    current = candidate;
                    continue;
                }

                if (current.Length > 0)
                {
                    lines.Add(current);
                    current = string.Empty;
                }

                var rest = word;
                while (flow.TextWidth(rest, font) > width)
                {
                    var cut = BreakPoint(flow, rest, font, width);
                    lines.Add(rest[..cut]);
                    rest = rest[cut..];
                }

                current = rest;
            }

            lines.Add(current);
        }

        return lines;
    }

    private static int BreakPoint(PageFlow flow, string word, XFont font, double width)
    {
        // Longest prefix that fits, by binary search on its length.
        int lo = 1, hi = word.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (flow.TextWidth(word[..mid], font) <= width)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        var fits = Math.Max(lo, 1);
        if (IsHex(word) && fits >= 8)
        {
            return fits - (fits % 8);
        }

        // After an '@' (user@host) first, else after another separator, in the second half of the line.
        foreach (var separators in new[] { "@", "/-._:" })
        {
            for (var i = fits; i > fits / 2; i--)
            {
                if (separators.Contains(word[i - 1], StringComparison.Ordinal))
                {
                    return i;
                }
            }
        }

        return fits;
    }

    private static bool IsHex(string word)
    {
        foreach (var c in word)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return word.Length >= 16;
    }
}
