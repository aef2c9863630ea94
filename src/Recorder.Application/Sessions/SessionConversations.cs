using Recorder.Core.Query;
using Recorder.Core.Store;
using Recorder.Sessions.Search;
using Recorder.Storage.Sessions;
using Recorder.Storage.Store;

namespace Recorder.Application.Sessions;

/// <summary>Sessions resolved into the conversations a query extracts.</summary>
/// <param name="Conversations">One per session record (whole sessions: continuations across segments included), by segment then id.</param>
/// <param name="Search">The search that found sessions, as it was recorded, or null.</param>
public sealed record ChosenSessions(IReadOnlyList<ConversationWindow> Conversations, SessionSearchRecord? Search);

/// <summary>Why sessions could not be chosen: <paramref name="FromSearch"/> tells a named session's problem from the search's.</summary>
/// <param name="FromSearch">True when the search (<c>--sessions-of</c>, <c>filter.sessionsOf</c>) is at fault.</param>
/// <param name="Message">What is wrong, for the user.</param>
public sealed record SessionChoiceProblem(bool FromSearch, string Message);

/// <summary>
/// Turns named sessions and a session search into the conversations of one extraction, the same way
/// for every host (<c>recorder query --session/--sessions-of</c>, a service query's
/// <c>filter.sessions/sessionsOf</c>): the search is run and ledgered, every session is taken whole
/// (its records in neighbouring segments followed), and the choice is refused when a named session
/// does not exist, the metadata cannot be read, a segment of the search's window has no metadata (the
/// answer could not be complete) or nothing matched (an empty list would mean "every packet").
/// </summary>
public static class SessionConversations
{
    /// <summary>Resolves <paramref name="named"/> and <paramref name="search"/>; the search is recorded through <paramref name="record"/>.</summary>
    public static (ChosenSessions? Chosen, SessionChoiceProblem? Problem) Choose(EvidenceStore store, IReadOnlyList<SessionReference> named,
        SessionFilter? search, string caseId, string reason, Func<CustodyEvent, long> record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(named);
        var documents = new List<SessionDocument>();
        try
        {
            documents.AddRange(SessionSelection.Resolve(store, named));
        }
        catch (ArgumentException e)
        {
            return (null, new SessionChoiceProblem(false, e.Message));
        }
        catch (Exception e) when (Unreadable(e))
        {
            return (null, new SessionChoiceProblem(false, "the session metadata could not be read: " + e.Message));
        }

        SessionSearchRecord? recorded = null;
        if (search is not null)
        {
            try
            {
                recorded = AuditedSessionSearch.Run(store, search, caseId, reason, record, cancellationToken);
                documents.AddRange(SessionSelection.WithContinuations(store, recorded.Result.Matches.Select(m => m.Document)));
            }
            catch (Exception e) when (Unreadable(e))
            {
                return (null, new SessionChoiceProblem(true, "the session metadata could not be read: " + e.Message));
            }

            if (recorded.Result.SegmentsNotBuilt.Count > 0)
            {
                return (null, new SessionChoiceProblem(true, $"segment(s) {string.Join(", ", recorded.Result.SegmentsNotBuilt)} in the window have no " +
                    $"session metadata, so the search (ledger entry {recorded.Seq}) cannot be complete; build it first (`recorder sessions index`)"));
            }

            if (recorded.Result.Matches.Count == 0)
            {
                return (null, new SessionChoiceProblem(true, $"no session matched (search {recorded.SearchId}, ledger entry {recorded.Seq}); nothing to extract"));
            }
        }

        var conversations = documents.DistinctBy(d => (d.SegmentId, d.Id)).OrderBy(d => d.SegmentId).ThenBy(d => d.Id)
            .Select(SessionSelection.Conversation).ToList();
        return (new ChosenSessions(conversations, recorded), null);
    }

    private static bool Unreadable(Exception e) => e is FormatException or IOException or InvalidDataException or SessionIndexCorruptException;
}
