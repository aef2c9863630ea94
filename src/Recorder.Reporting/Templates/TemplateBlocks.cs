using System.Text;

namespace Recorder.Reporting.Templates;

/// <summary>A parsed piece of a certification template.</summary>
/// <param name="Line">1-based line where it starts.</param>
internal abstract record TemplateBlock(int Line);

/// <summary><c># Title</c> (level 1) or <c>## Subtitle</c> (level 2).</summary>
internal sealed record TemplateHeading(int Line, int Level, TemplateText Text) : TemplateBlock(Line);

/// <summary>A paragraph; <see cref="Marker"/> is <c>1.</c>, <c>2.</c>… for numbered ones, <c>•</c> for <c>- </c> items, else null.</summary>
internal sealed record TemplateParagraph(int Line, string? Marker, TemplateText Text) : TemplateBlock(Line);

/// <summary>A <c>&gt; </c> note: printed smaller, outside the declaration's body.</summary>
internal sealed record TemplateNote(int Line, TemplateText Text) : TemplateBlock(Line);

/// <summary>A block placeholder alone on its line.</summary>
internal sealed record TemplateBlockPlaceholder(int Line, string Name) : TemplateBlock(Line);

/// <summary>Text with inline placeholders.</summary>
internal sealed record TemplateText(IReadOnlyList<TemplateSegment> Parts)
{
    /// <summary>The text with every placeholder replaced from <paramref name="values"/>.</summary>
    public string Render(IReadOnlyDictionary<string, string> values)
    {
        var sb = new StringBuilder();
        foreach (var part in Parts)
        {
            sb.Append(part.IsPlaceholder ? values[part.Value] : part.Value);
        }

        return sb.ToString();
    }
}

/// <summary>Literal text, or the name of an inline placeholder.</summary>
internal readonly record struct TemplateSegment(bool IsPlaceholder, string Value);
