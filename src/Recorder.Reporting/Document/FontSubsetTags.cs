using System.Security.Cryptography;
using System.Text;
using PdfSharp.Pdf;

namespace Recorder.Reporting.Document;

/// <summary>
/// Replaces the random six-letter subset tags PDFsharp puts before embedded font names
/// (PDF 32000-1 §9.6.4, e.g. <c>MYWIYZ+DejaVu Sans</c>) with tags derived from the report, so the
/// same model gives the same bytes. Tags stay unique within the document.
/// </summary>
internal static class FontSubsetTags
{
    private const string FontName = "/FontName";
    private const string BaseFont = "/BaseFont";

    public static void MakeDeterministic(PdfDocument document, string seed)
    {
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dictionary in document.Internals.GetAllObjects().OfType<PdfDictionary>())
        {
            foreach (var key in new[] { FontName, BaseFont })
            {
                var name = dictionary.Elements.GetName(key);
                if (!IsTagged(name))
                {
                    continue;
                }

                var tag = name[1..7];
                if (!renamed.TryGetValue(tag, out var replacement))
                {
                    replacement = NewTag(seed, name[8..], used);
                    renamed.Add(tag, replacement);
                }

                dictionary.Elements.SetName(key, "/" + replacement + name[7..]);
            }
        }
    }

    // "/ABCDEF+Name": a slash, six capital letters, a plus.
    private static bool IsTagged(string name) =>
        name.Length > 8 && name[0] == '/' && name[7] == '+' && name.AsSpan(1, 6).IndexOfAnyExceptInRange('A', 'Z') < 0;

    private static string NewTag(string seed, string fontName, HashSet<string> used)
    {
        for (var attempt = 0; ; attempt++)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}\n{fontName}\n{attempt}"));
            var tag = string.Create(6, hash, (span, h) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = (char)('A' + (h[i] % 26));
                }
            });
            if (used.Add(tag))
            {
                return tag;
            }
        }
    }
}
