using System.Text;
using System.Text.RegularExpressions;

namespace Recorder.Reporting.Templates;

/// <summary>
/// One certification form (for example a declaration under FRE 902(13)), parsed from a plain text
/// template. The syntax, line by line:
/// <list type="bullet">
/// <item><c># Title</c> (required, first) and <c>## Subtitle</c> lines;</item>
/// <item>paragraphs, separated by blank lines (lines of one paragraph are joined; a line ending
/// in <c>\</c> ends a line without ending the paragraph);</item>
/// <item><c>1. text</c> numbered paragraphs and <c>- text</c> bulleted ones;</item>
/// <item><c>&gt; text</c> notes, printed smaller, outside the declaration;</item>
/// <item><c>{{name}}</c> inline placeholders anywhere, block placeholders alone on their line
/// (see <see cref="TemplatePlaceholders"/>);</item>
/// <item><c>//</c> comment lines, ignored.</item>
/// </list>
/// Every problem is a <see cref="ReportTemplateException"/> naming the file, line and placeholder.
/// </summary>
public sealed partial class CertificationTemplate
{
    private CertificationTemplate(string source, string fileName, IReadOnlyList<TemplateBlock> blocks)
    {
        Source = source;
        FileName = fileName;
        Blocks = blocks;
    }

    /// <summary>Where the template came from (file path, or the resource name of a built-in default).</summary>
    public string Source { get; }

    /// <summary>The template's file name, e.g. <c>fre-902-13.txt</c>; templates are printed in file name order.</summary>
    public string FileName { get; }

    internal IReadOnlyList<TemplateBlock> Blocks { get; }

    internal TemplateHeading Title => (TemplateHeading)Blocks[0];

    /// <summary>Reads and parses the template file at <paramref name="path"/>.</summary>
    public static CertificationTemplate Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string text;
        try
        {
            text = File.ReadAllText(path, StrictUtf8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            throw new ReportTemplateException(path, "cannot be read as UTF-8 text: " + e.Message, e);
        }

        return Parse(text, path);
    }

    /// <summary>Parses template <paramref name="text"/>; <paramref name="source"/> names it in errors.</summary>
    public static CertificationTemplate Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        var blocks = new List<TemplateBlock>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        Pending? open = null;

        void Flush()
        {
            if (open is not null)
            {
                var joined = new TemplateText(open.Parts.ToArray());
                blocks.Add(open.Note ? new TemplateNote(open.Line, joined) : new TemplateParagraph(open.Line, open.Marker, joined));
                open = null;
            }
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var lineNo = i + 1;
            var line = lines[i].TrimEnd();
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            if (trimmed.Length == 0)
            {
                Flush();
                continue;
            }

            if (trimmed.StartsWith('#'))
            {
                Flush();
                var level = trimmed.StartsWith("## ", StringComparison.Ordinal) ? 2 : trimmed.StartsWith("# ", StringComparison.Ordinal) ? 1 : 0;
                if (level == 0)
                {
                    throw new ReportTemplateException(source, lineNo, null, "a heading is written '# Title' or '## Subtitle'");
                }

                blocks.Add(new TemplateHeading(lineNo, level, new TemplateText(ParseInline(trimmed[(level + 1)..].Trim(), source, lineNo))));
                continue;
            }

            var block = BlockPlaceholderLine().Match(trimmed);
            if (block.Success && TemplatePlaceholders.Block.ContainsKey(block.Groups[1].Value))
            {
                Flush();
                blocks.Add(new TemplateBlockPlaceholder(lineNo, block.Groups[1].Value));
                continue;
            }

            if (trimmed.StartsWith("> ", StringComparison.Ordinal) || trimmed == ">")
            {
                if (open is null || !open.Note)
                {
                    Flush();
                    open = new Pending(lineNo, null, true);
                }

                open.Append(ParseInline(trimmed[1..].Trim(), source, lineNo));
                continue;
            }

            var item = ListItem().Match(trimmed);
            if (item.Success)
            {
                Flush();
                var marker = item.Groups[1].Value == "-" ? "\u2022" : item.Groups[1].Value;

                open = new Pending(lineNo, marker, false);
                open.Append(ParseInline(item.Groups[2].Value, source, lineNo));
                continue;
            }

            if (open is null || open.Note)
            {
                Flush();
                open = new Pending(lineNo, null, false);
            }

            open.Append(ParseInline(trimmed, source, lineNo));
        }

        Flush();
        if (blocks.Count == 0 || blocks[0] is not TemplateHeading { Level: 1 })
        {
            throw new ReportTemplateException(source, blocks.Count == 0 ? 0 : blocks[0].Line, null,
                "a certification template must start with a '# Title' line (the title printed on the page and in the contents)");
        }

        return new CertificationTemplate(source, Path.GetFileName(source), blocks);
    }

    private static List<TemplateSegment> ParseInline(string text, string source, int line)
    {
        var parts = new List<TemplateSegment>();
        var pos = 0;
        while (pos < text.Length)
        {
            var open = text.IndexOf("{{", pos, StringComparison.Ordinal);
            var strayClose = text.IndexOf("}}", pos, StringComparison.Ordinal);
            if (strayClose >= 0 && (open < 0 || strayClose < open))
            {
                throw new ReportTemplateException(source, line, null, $"'}}}}' without an opening '{{{{' at column {strayClose + 1}");
            }

            if (open < 0)
            {
                parts.Add(new TemplateSegment(false, text[pos..]));
                break;
            }

            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ReportTemplateException(source, line, null, $"placeholder opened at column {open + 1} is not closed with '}}}}'");
            }

            var name = text[(open + 2)..close].Trim();
            if (TemplatePlaceholders.Block.ContainsKey(name))
            {
                throw new ReportTemplateException(source, line, name,
                    $"the block placeholder {{{{{name}}}}} must stand alone on its line");
            }

            if (!TemplatePlaceholders.Inline.ContainsKey(name))
            {
                throw new ReportTemplateException(source, line, name,
                    $"unknown placeholder {{{{{name}}}}}; known placeholders: " +
                    string.Join(", ", TemplatePlaceholders.Inline.Keys.Concat(TemplatePlaceholders.Block.Keys).Order(StringComparer.Ordinal)));
            }

            if (open > pos)
            {
                parts.Add(new TemplateSegment(false, text[pos..open]));
            }

            parts.Add(new TemplateSegment(true, name));
            pos = close + 2;
        }

        return parts;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [GeneratedRegex(@"^\{\{\s*([a-z0-9-]+)\s*\}\}$", RegexOptions.CultureInvariant)]
    private static partial Regex BlockPlaceholderLine();

    [GeneratedRegex(@"^(-|[0-9]{1,3}\.)\s+(.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex ListItem();

    private sealed class Pending(int line, string? marker, bool note)
    {
        public int Line { get; } = line;

        public string? Marker { get; } = marker;

        public bool Note { get; } = note;

        public List<TemplateSegment> Parts { get; } = [];

        private bool _hardBreak;

        public void Append(List<TemplateSegment> more)
        {
            if (Parts.Count > 0)
            {
                Parts.Add(new TemplateSegment(false, _hardBreak ? "\n" : " "));
            }

            _hardBreak = false;
            if (more.Count > 0 && more[^1] is { IsPlaceholder: false } last && last.Value.EndsWith('\\'))
            {
                _hardBreak = true;
                more[^1] = last with { Value = last.Value[..^1].TrimEnd() };
            }

            Parts.AddRange(more);
        }
    }
}
