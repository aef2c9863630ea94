namespace Recorder.Reporting;

/// <summary>Paper sizes a report can be printed on.</summary>
public enum ReportPageSize
{
    /// <summary>US Letter, 8.5 × 11 inches (US courts).</summary>
    Letter,

    /// <summary>ISO A4, 210 × 297 mm.</summary>
    A4,
}

/// <summary>Layout choices of <see cref="ReportRenderer"/>. The defaults suit a US court filing.</summary>
public sealed record ReportOptions
{
    /// <summary>Paper size; default US Letter.</summary>
    public ReportPageSize PageSize { get; init; } = ReportPageSize.Letter;

    /// <summary>Hosts listed by name in the summary (the rest are summed in one line); 1 to 100, default 10.</summary>
    public int TopHosts { get; init; } = 10;

    /// <summary>Ports listed by number in the summary (the rest are summed in one line); 1 to 100, default 10.</summary>
    public int TopPorts { get; init; } = 10;

    internal void Validate()
    {
        if (!Enum.IsDefined(PageSize))
        {
            throw new ArgumentOutOfRangeException(nameof(PageSize), PageSize, "Unknown page size.");
        }

        if (TopHosts is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(TopHosts), TopHosts, "Between 1 and 100.");
        }

        if (TopPorts is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(TopPorts), TopPorts, "Between 1 and 100.");
        }
    }
}
