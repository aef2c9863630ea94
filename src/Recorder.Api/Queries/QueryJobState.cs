namespace Recorder.Api.Queries;

/// <summary>
/// The query's record while its job runs. The writer's callbacks, the sinks and the job itself
/// change it from different threads; each change is made and saved under one lock, so a reader of
/// <c>query.json</c> never sees a change another one overwrote.
/// </summary>
internal sealed class QueryJobState(QueryRepository repository, QueryRecord initial)
{
    private readonly Lock _gate = new();
    private QueryRecord _record = initial;

    /// <summary>The record as last changed.</summary>
    public QueryRecord Current
    {
        get
        {
            lock (_gate)
            {
                return _record;
            }
        }
    }

    /// <summary>Saves the record as it is (fsynced when <paramref name="durable"/>) and returns it.</summary>
    public QueryRecord Save(bool durable)
    {
        lock (_gate)
        {
            repository.Save(_record, durable);
            return _record;
        }
    }

    /// <summary>Applies <paramref name="change"/> and saves the result (fsynced when <paramref name="durable"/>).</summary>
    public QueryRecord Update(Func<QueryRecord, QueryRecord> change, bool durable)
    {
        lock (_gate)
        {
            _record = change(_record);
            repository.Save(_record, durable);
            return _record;
        }
    }
}
