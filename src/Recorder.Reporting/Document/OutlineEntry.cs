namespace Recorder.Reporting.Document;

/// <summary>A heading for the contents page and the PDF bookmarks.</summary>
/// <param name="Level">1 for sections and certifications, 2 for subsections.</param>
/// <param name="Number">Section number as printed, e.g. <c>4.2</c>; empty for certifications.</param>
/// <param name="Title">Heading text.</param>
/// <param name="Page">1-based page the heading is on.</param>
internal sealed record OutlineEntry(int Level, string Number, string Title, int Page);
