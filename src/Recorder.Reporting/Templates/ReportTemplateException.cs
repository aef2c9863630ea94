namespace Recorder.Reporting.Templates;

/// <summary>
/// A certification template cannot be used: it is missing, unreadable, or names a placeholder that
/// does not exist or uses one where it cannot stand. The message names the file, the line and the
/// placeholder.
/// </summary>
public sealed class ReportTemplateException : Exception
{
    /// <summary>Creates the exception for <paramref name="file"/>.</summary>
    /// <param name="file">The template file (path, or resource name for the built-in defaults).</param>
    /// <param name="line">1-based line number, or 0 when the problem is not on one line.</param>
    /// <param name="placeholder">The placeholder at fault, if any.</param>
    /// <param name="problem">What is wrong.</param>
    public ReportTemplateException(string file, int line, string? placeholder, string problem)
        : base(Format(file, line, problem))
    {
        File = file;
        Line = line;
        Placeholder = placeholder;
    }

    /// <summary>Creates the exception for <paramref name="file"/>, with the I/O error that caused it.</summary>
    public ReportTemplateException(string file, string problem, Exception innerException)
        : base(Format(file, 0, problem), innerException)
    {
        File = file;
    }

    /// <summary>Creates the exception.</summary>
    public ReportTemplateException()
    {
        File = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public ReportTemplateException(string message)
        : base(message)
    {
        File = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public ReportTemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = string.Empty;
    }

    /// <summary>The template file at fault.</summary>
    public string File { get; }

    /// <summary>1-based line number, or 0 when the problem is not on one line.</summary>
    public int Line { get; }

    /// <summary>The placeholder at fault, if any.</summary>
    public string? Placeholder { get; }

    private static string Format(string file, int line, string problem) =>
        line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}";
}
