using System.Net;
using Recorder.Core.Packets;
using Recorder.Core.Query;
using Recorder.Sessions.Search;
using Recorder.Storage.Store;

namespace Recorder.Storage.Sessions;

/// <summary>A session named by its segment and its id within the segment's metadata (<c>SEGMENT:ID</c>).</summary>
/// <param name="SegmentId">The segment whose metadata file holds the record.</param>
/// <param name="Id">The record's id (<see cref="SessionDocument.Id"/>).</param>
public readonly record struct SessionReference(long SegmentId, long Id)
{
    /// <summary>Parses <c>SEGMENT:ID</c> (two non-negative integers); null when the text is not one.</summary>
    public static SessionReference? Parse(string? text)
    {
        var parts = (text ?? string.Empty).Trim().Split(':');
        return parts.Length == 2
            && long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var segment)
            && long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            && segment > 0
                ? new SessionReference(segment, id)
                : null;
    }

    /// <inheritdoc />
    public override string ToString() => $"{SegmentId}:{Id}";
}

/// <summary>
/// Turns sessions (found by a metadata search or named by reference) into the conversations a packet
/// query extracts. A session cut by a segment boundary has one record per segment (the earlier one
/// open at its segment's end, the later one marked as continuing it); a session is always taken
/// whole: its records in the segments before and after are followed and added.
/// </summary>
public static class SessionSelection
{
    /// <summary>
    /// The records of the sessions <paramref name="references"/> name, each with the records that
    /// continue it in other segments. Throws <see cref="ArgumentException"/> naming a reference whose
    /// segment has no metadata or whose record does not exist.
    /// </summary>
    public static IReadOnlyList<SessionDocument> Resolve(EvidenceStore store, IReadOnlyList<SessionReference> references)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(references);
        var files = new SegmentFiles(store);
        var found = new List<SessionDocument>();
        foreach (var reference in references)
        {
            var records = files.Records(reference.SegmentId)
                ?? throw new ArgumentException($"session {reference}: segment {reference.SegmentId} has no session metadata " +
                    "(no such segment, or run `recorder sessions index`)");
            var record = records.FirstOrDefault(d => d.Id == reference.Id)
                ?? throw new ArgumentException($"session {reference}: segment {reference.SegmentId} has no session {reference.Id} " +
                    $"(its ids run from 0 to {records.Count - 1})");
            found.Add(record);
        }

        return WithContinuations(files, found);
    }

    /// <summary><paramref name="matches"/> (a search's answer) with the records continuing each in other segments.</summary>
    public static IReadOnlyList<SessionDocument> WithContinuations(EvidenceStore store, IEnumerable<SessionDocument> matches)
    {
        ArgumentNullException.ThrowIfNull(store);
        return WithContinuations(new SegmentFiles(store), matches);
    }

    /// <summary>The conversation window of one session record (its flow and its first and last packet in its segment).</summary>
    public static ConversationWindow Conversation(SessionDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var kind = document.Network == "ipv6" ? NetworkKind.IPv6 : NetworkKind.IPv4;
        var protocol = checked((byte)document.Protocol);
        var hasPorts = Protocols.HasPorts(protocol);
        var client = IpAddress128.From(IPAddress.Parse(document.Client));
        var server = IpAddress128.From(IPAddress.Parse(document.Server));
        var clientPort = hasPorts ? checked((ushort)document.ClientPort) : (ushort)0;
        var serverPort = hasPorts ? checked((ushort)document.ServerPort) : (ushort)0;

        // The same canonical order as FlowKey.From: the smaller (address, port) first.
        var clientFirst = client < server || (client == server && clientPort <= serverPort);
        var flow = clientFirst
            ? new FlowKey(kind, protocol, hasPorts, client, clientPort, server, serverPort)
            : new FlowKey(kind, protocol, hasPorts, server, serverPort, client, clientPort);
        return new ConversationWindow(flow, document.FirstNanoseconds, document.LastNanoseconds, $"{document.SegmentId}:{document.Id}");
    }

    private static List<SessionDocument> WithContinuations(SegmentFiles files, IEnumerable<SessionDocument> matches)
    {
        var seen = new HashSet<(long, long)>();
        var result = new List<SessionDocument>();
        var pending = new Stack<SessionDocument>(matches.Reverse());
        while (pending.Count > 0)
        {
            var document = pending.Pop();
            if (!seen.Add((document.SegmentId, document.Id)))
            {
                continue;
            }

            result.Add(document);
            if (document.OpenAtSegmentEnd && files.Records(document.SegmentId + 1) is { } next
                && next.FirstOrDefault(d => d.ContinuesPreviousSegment && SameEndpoints(d, document)) is { } later)
            {
                pending.Push(later);
            }

            if (document.ContinuesPreviousSegment && document.SegmentId > 1 && files.Records(document.SegmentId - 1) is { } previous
                && previous.FirstOrDefault(d => d.OpenAtSegmentEnd && SameEndpoints(d, document)) is { } earlier)
            {
                pending.Push(earlier);
            }
        }

        result.Sort((a, b) => a.SegmentId != b.SegmentId ? a.SegmentId.CompareTo(b.SegmentId) : a.Id.CompareTo(b.Id));
        return result;
    }

    private static bool SameEndpoints(SessionDocument a, SessionDocument b) =>
        SessionMetadataBuilder.EndpointsKey(a) == SessionMetadataBuilder.EndpointsKey(b);

    /// <summary>Each segment's metadata records, read once.</summary>
    private sealed class SegmentFiles(EvidenceStore store)
    {
        private readonly Dictionary<long, List<SessionDocument>?> _records = [];

        public List<SessionDocument>? Records(long segmentId)
        {
            if (!_records.TryGetValue(segmentId, out var records))
            {
                var path = store.Layout.ExistingSessionsFile(segmentId);
                records = path is null ? null : SessionMetadataBuilder.Read(path).ToList();
                _records[segmentId] = records;
            }

            return records;
        }
    }
}
