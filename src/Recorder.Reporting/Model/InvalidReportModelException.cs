namespace Recorder.Reporting.Model;

/// <summary>A <see cref="ReportModel"/> holds a value the report cannot state; <see cref="Field"/> names it.</summary>
public sealed class InvalidReportModelException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="field"/>, e.g. <c>Files[3].Sha256</c>.</summary>
    public InvalidReportModelException(string field, string problem)
        : base($"Report model field {field}: {problem}", "model")
    {
        Field = field;
    }

    /// <summary>Creates the exception.</summary>
    public InvalidReportModelException()
    {
        Field = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public InvalidReportModelException(string message)
        : base(message)
    {
        Field = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public InvalidReportModelException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = string.Empty;
    }

    /// <summary>Path of the field at fault, e.g. <c>Custody.Entries[12].EntryHash</c>.</summary>
    public string Field { get; }
}
