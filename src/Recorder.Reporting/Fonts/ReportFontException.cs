namespace Recorder.Reporting.Fonts;

/// <summary>The report's fonts cannot be used: another PDFsharp font resolver is installed that does not provide them.</summary>
public sealed class ReportFontException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReportFontException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReportFontException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReportFontException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
