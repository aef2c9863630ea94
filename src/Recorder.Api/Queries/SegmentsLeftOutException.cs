using Recorder.Storage.Query;

namespace Recorder.Api.Queries;

/// <summary>
/// A query that would have to leave out sealed segments that may hold matches, submitted without
/// <c>allowPartial</c>: it ends <c>failed</c> before reading a packet, naming every segment and why.
/// </summary>
public sealed class SegmentsLeftOutException : Exception
{
    /// <summary>Creates the failure for the segments <paramref name="leftOut"/>.</summary>
    public SegmentsLeftOutException(IReadOnlyList<SegmentLeftOut> leftOut)
        : base($"{leftOut?.Count} sealed segment(s) that may hold matching packets cannot be read: {string.Join("; ", leftOut ?? [])}; "
            + "the answer would be partial (submit with allowPartial: true to accept that, or run recorder verify)") =>
        LeftOut = leftOut ?? [];

    /// <summary>Creates the failure without a list (for serializers; prefer the list).</summary>
    public SegmentsLeftOutException()
        : this([])
    {
    }

    /// <summary>Creates the failure with a message of the caller's.</summary>
    public SegmentsLeftOutException(string message)
        : base(message) => LeftOut = [];

    /// <summary>Creates the failure with a message and its cause.</summary>
    public SegmentsLeftOutException(string message, Exception innerException)
        : base(message, innerException) => LeftOut = [];

    /// <summary>The segments that could not be read, by id.</summary>
    public IReadOnlyList<SegmentLeftOut> LeftOut { get; }
}
