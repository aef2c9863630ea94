using System.Globalization;

namespace Recorder.Benchmarks.Agreement;

/// <summary>
/// One field of one capture compared as multisets: each value of one side is matched by at most one
/// equal value of the other. Agreement is matched / the larger side, so a value missing on either
/// side lowers it; 100% means the two multisets are equal.
/// </summary>
public sealed record FieldAgreement(string Field, int Ours, int Theirs, int Matched, IReadOnlyList<string> OnlyOurs, IReadOnlyList<string> OnlyTheirs)
{
    public double Percent => Math.Max(Ours, Theirs) == 0 ? 100 : 100.0 * Matched / Math.Max(Ours, Theirs);

    public bool Equal => OnlyOurs.Count == 0 && OnlyTheirs.Count == 0;

    public static FieldAgreement Compare(string field, IEnumerable<string> ours, IEnumerable<string> theirs)
    {
        var a = ours.ToList();
        var b = theirs.ToList();
        var remaining = a.GroupBy(x => x, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var onlyTheirs = new List<string>();
        foreach (var value in b)
        {
            if (remaining.TryGetValue(value, out var n) && n > 0)
            {
                remaining[value] = n - 1;
            }
            else
            {
                onlyTheirs.Add(value);
            }
        }

        var onlyOurs = remaining.Where(p => p.Value > 0).SelectMany(p => Enumerable.Repeat(p.Key, p.Value)).Order(StringComparer.Ordinal).ToList();
        onlyTheirs.Sort(StringComparer.Ordinal);
        return new FieldAgreement(field, a.Count, b.Count, b.Count - onlyTheirs.Count, onlyOurs, onlyTheirs);
    }

    /// <summary>The row of the printed table: field, both counts, matched and agreement.</summary>
    public string Row(string capture) => string.Create(CultureInfo.InvariantCulture,
        $"| {capture} | {Field} | {Ours} | {Theirs} | {Matched} | {Percent:F1}% |");

    /// <summary>The first few differences, one line each.</summary>
    public IEnumerable<string> Differences(string otherName, int limit = 4)
    {
        foreach (var value in OnlyOurs.Take(limit))
        {
            yield return $"    only ours:   {Shorten(value)}";
        }

        if (OnlyOurs.Count > limit)
        {
            yield return $"    ... {OnlyOurs.Count - limit} more only ours";
        }

        foreach (var value in OnlyTheirs.Take(limit))
        {
            yield return $"    only {otherName}: {Shorten(value)}";
        }

        if (OnlyTheirs.Count > limit)
        {
            yield return $"    ... {OnlyTheirs.Count - limit} more only {otherName}";
        }
    }

    private static string Shorten(string value) => value.Length <= 100 ? value : value[..97] + "...";
}
