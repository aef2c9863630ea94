namespace Recorder.Reporting.Model;

/// <summary>
/// A query whose extraction is not the complete answer, packaged knowingly: the report says
/// PARTIAL on its cover and lists what is missing, so the evidence cannot be taken for complete.
/// </summary>
/// <param name="QueryId">The query.</param>
/// <param name="Why">Why it is partial, in one clause (segments could not be read, the query was stopped).</param>
/// <param name="LeftOut">One line per segment left out and why; empty when nothing but the stop is missing.</param>
public sealed record PartialExtractionRecord(string QueryId, string Why, IReadOnlyList<string> LeftOut);
