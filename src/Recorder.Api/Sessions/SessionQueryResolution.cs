using Recorder.Api.Hosting;
using Recorder.Api.Queries;
using Recorder.Api.Security;
using Recorder.Application.Sessions;
using Recorder.Core.Query;

namespace Recorder.Api.Sessions;

/// <summary>
/// Turns a query submitted by sessions (<c>filter.sessions</c>, <c>filter.sessionsOf</c>) into the
/// conversations it extracts, when it is submitted, as <c>recorder query --session/--sessions-of</c>
/// does: the search is run and ledgered (<c>sessions.searched</c>, under the caller, with the query's
/// case and reason), every session is taken whole (its records in neighbouring segments followed),
/// and the query is refused when nothing matches, a segment of the search's window has no metadata
/// (the answer could not be complete) or a named session does not exist. The conversations are
/// stored in the query's record, so the job extracts exactly them.
/// </summary>
internal static class SessionQueryResolution
{
    /// <summary>The submission with its query built from the sessions, or the errors that refuse it (400) or the role's limits (403).</summary>
    public static (ParsedSubmission? Submission, IReadOnlyList<FieldError> Invalid, IReadOnlyList<FieldError> Refused) Resolve(ServiceRuntime runtime,
        Caller caller, ParsedSubmission submission, CancellationToken cancellationToken)
    {
        var request = submission.Sessions!;
        var (chosen, problem) = SessionConversations.Choose(runtime.Store, request.Named, request.Search, submission.Case, submission.Reason,
            e => runtime.Ledger.Record(caller.Name, e), cancellationToken);
        if (problem is not null)
        {
            return Invalid(problem.FromSearch ? "filter.sessionsOf" : "filter.sessions", problem.Message);
        }

        var (conversations, search) = (chosen!.Conversations, chosen.Search);
        var query = PacketQuery.ForConversations(conversations, submission.Query.From, submission.Query.To, submission.Query.Bpf);
        if (query.From is { } start && query.To is { } end && end.UnixNanoseconds <= start.UnixNanoseconds)
        {
            return Invalid(submission.Query.From is null ? "filter.to" : "filter.from", "the window holds none of the sessions' packets");
        }

        var refused = QuerySubmission.WindowRefusals(caller.Role, query);
        if (refused.Count > 0)
        {
            return (null, [], refused);
        }

        var text = submission.Filter with
        {
            Sessions = request.Named.Select(n => n.ToString()).ToList(),
            SessionsOf = search?.Filter.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()),
            SessionSearch = search is null ? null : new QuerySessionSearch(search.SearchId, search.Seq, search.Result.Matches.Count, search.Result.AnswerSha256),
            Conversations = conversations.Select(QueryConversation.From).ToList(),
        };
        return (submission with { Filter = text, Query = query }, [], []);
    }

    private static (ParsedSubmission?, IReadOnlyList<FieldError>, IReadOnlyList<FieldError>) Invalid(string field, string message) =>
        (null, [new FieldError(field, message)], []);
}
