using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Recorder.Api.Hosting;
using Recorder.Api.Policies;
using Recorder.Api.Security;
using Recorder.Application;
using Recorder.Core.Time;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Proofs;

namespace Recorder.Api.Ledger;

/// <summary>
/// The custody ledger over HTTP: entries (filtered), the latest signed and time-stamped checkpoint
/// (as JSON or as the exact files <c>recorder ledger checkpoint</c> writes, for openssl), and
/// inclusion proofs in the format <c>recorder ledger verify-proof</c> checks offline.
/// </summary>
public static class LedgerEndpoints
{
    private const int DefaultLimit = 1000;

    /// <summary>Maps the endpoints.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/api/ledger").WithTags("Ledger");
        group.MapGet("/", Entries).RequirePermission(Permission.LedgerRead).Produces<LedgerPageResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Ledger entries in sequence order (filters: action (repeatable, 'query.*' prefixes), case, from, to, fromSeq, limit)");
        group.MapGet("/checkpoints/latest", LatestCheckpoint).RequirePermission(Permission.LedgerRead).Produces<CheckpointResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The latest signed checkpoint, RFC 3161 time-stamped; ?file=checkpoint.txt|checkpoint.sig|checkpoint.tsr|tsa.pem gives one file");
        group.MapGet("/proof/{seq:long}", Proof).RequirePermission(Permission.LedgerProve).Produces<JsonObject>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("An inclusion proof of entry seq against the checkpoint of size S (?size=S, default: latest), checkable offline");
    }

    private static IResult Entries(HttpContext http, ServiceRuntime runtime, string[]? action, string? @case, string? from, string? to, long? fromSeq, int? limit)
    {
        var errors = new List<FieldError>();
        Timestamp? start = null, end = null;
        if (from is not null)
        {
            if (TimestampParser.TryParse(from, out var value, out var error))
            {
                start = value;
            }
            else
            {
                errors.Add(new FieldError("from", error));
            }
        }

        if (to is not null)
        {
            if (TimestampParser.TryParse(to, out var value, out var error))
            {
                end = value;
            }
            else
            {
                errors.Add(new FieldError("to", error));
            }
        }

        if (limit is < 1 or > 100_000)
        {
            errors.Add(new FieldError("limit", "must be 1 to 100000"));
        }

        if (fromSeq is < 0)
        {
            errors.Add(new FieldError("fromSeq", "must not be negative"));
        }

        if (action is not null)
        {
            for (var i = 0; i < action.Length; i++)
            {
                if (action[i].Length is 0 or > 128)
                {
                    errors.Add(new FieldError($"action[{i}]", "an action name or a prefix ending in .*"));
                }
            }
        }

        if (errors.Count > 0)
        {
            return Problems.InvalidFields(errors, http.Request.Path);
        }

        var ledger = StoreAccess.Journal(runtime.Store).Ledger;
        var filter = new LedgerFilter { Actions = action, Case = @case, From = start, To = end, FromSeq = fromSeq };
        var max = limit ?? DefaultLimit;
        var entries = new JsonArray();
        long? next = null;
        foreach (var entry in ledger.Read(filter))
        {
            if (entries.Count == max)
            {
                next = entry.Seq;
                break;
            }

            entries.Add(JsonNode.Parse(entry.Line.Span));
        }

        return Results.Json(new JsonObject { ["entries"] = entries, ["count"] = ledger.Count, ["nextFromSeq"] = next });
    }

    private static IResult LatestCheckpoint(HttpContext http, ServiceRuntime runtime, string? file)
    {
        var journal = StoreAccess.Journal(runtime.Store);
        if (journal.Ledger.Count == 0)
        {
            return Problems.NotFound("the ledger is empty", http.Request.Path);
        }

        var checkpoint = journal.Checkpoint();
        return file switch
        {
            null => Results.Json(new JsonObject
            {
                ["origin"] = checkpoint.Origin,
                ["size"] = checkpoint.Size,
                ["rootHash"] = Convert.ToBase64String(checkpoint.RootHash),
                ["time"] = checkpoint.Time.ToString(),
                ["keyFingerprint"] = checkpoint.KeyFingerprint,
                ["text"] = checkpoint.Text,
                ["signature"] = Convert.ToBase64String(checkpoint.Signature),
                ["timeStampResponse"] = checkpoint.TimeStampResponse is null ? null : Convert.ToBase64String(checkpoint.TimeStampResponse),
                ["timeStampAuthorityPem"] = checkpoint.TimeStampAuthorityPem,
            }),
            "checkpoint.txt" => Results.Bytes(checkpoint.TextBytes, "text/plain; charset=utf-8", "checkpoint.txt"),
            "checkpoint.sig" => Results.Bytes(checkpoint.Signature, "application/octet-stream", "checkpoint.sig"),
            "checkpoint.tsr" when checkpoint.TimeStampResponse is not null => Results.Bytes(checkpoint.TimeStampResponse, "application/timestamp-reply", "checkpoint.tsr"),
            "tsa.pem" when checkpoint.TimeStampAuthorityPem is not null => Results.Bytes(System.Text.Encoding.ASCII.GetBytes(checkpoint.TimeStampAuthorityPem), "application/x-pem-file", "tsa.pem"),
            _ => Problems.InvalidField("file", "checkpoint.txt, checkpoint.sig, checkpoint.tsr or tsa.pem", http.Request.Path),
        };
    }

    private static IResult Proof(HttpContext http, ServiceRuntime runtime, long seq, long? size)
    {
        var ledger = StoreAccess.Journal(runtime.Store).Ledger;
        var count = ledger.Count;
        if (seq < 0 || seq >= count)
        {
            return Problems.NotFound($"no ledger entry {seq} (the ledger has {count})", http.Request.Path);
        }

        if (size is { } s && (s <= seq || s > count))
        {
            return Problems.InvalidField("size", $"must be above {seq} and at most {count}", http.Request.Path);
        }

        try
        {
            var proof = ledger.ProveInclusion(seq, size);
            return Results.Bytes(ProofFile.Serialize(proof), "application/json", $"proof-{seq}.json");
        }
        catch (ArgumentException e)
        {
            return Problems.InvalidField("size", e.Message, http.Request.Path);
        }
    }
}
