using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Recorder.Api.Hosting;
using Recorder.Api.Policies;
using Recorder.Api.Security;
using Recorder.Application;
using Recorder.Core.Time;
using Recorder.Ledger;
using Recorder.Ledger.Entries;
using Recorder.Ledger.Checkpoints;
using Recorder.Ledger.Proofs;
using Recorder.Signing.TimeStamping;

namespace Recorder.Api.Ledger;

/// <summary>
/// The custody ledger over HTTP: entries (filtered), the latest signed and time-stamped checkpoint
/// (as JSON or as the exact files <c>recorder ledger checkpoint</c> writes, for openssl), and
/// inclusion proofs in the format <c>recorder ledger verify-proof</c> checks offline.
/// </summary>
public static class LedgerEndpoints
{
    private const int DefaultLimit = 1000;

    // Proving an entry costs a ledger session and a signature check: a page, not the whole ledger.
    private const int MaxVerifiedLimit = 200;

    /// <summary>Maps the endpoints.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/api/ledger").WithTags("Ledger");
        group.MapGet("/", Entries).RequirePermission(Permission.LedgerRead).Produces<LedgerPageResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Ledger entries in sequence order, or newest first with order=desc (filters: action (repeatable, 'query.*' prefixes), user, case, from, to, fromSeq, beforeSeq, limit; verify=true proves each entry)");
        group.MapGet("/checkpoints/latest", LatestCheckpoint).RequirePermission(Permission.LedgerRead).Produces<CheckpointResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The latest signed checkpoint, RFC 3161 time-stamped; ?file=checkpoint.txt|checkpoint.sig|checkpoint.tsr|tsa.pem gives one file");
        group.MapGet("/proof/{seq:long}", Proof).RequirePermission(Permission.LedgerProve).Produces<InclusionProofResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("An inclusion proof of entry seq against the checkpoint of size S (?size=S, default: latest), checkable offline");
    }

    private static IResult Entries(
        HttpContext http, ServiceRuntime runtime, string[]? action, string? user, string? @case, string? from, string? to, long? fromSeq, long? beforeSeq, int? limit, string? order, bool? verify)
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

        if (user is { Length: 0 or > 256 })
        {
            errors.Add(new FieldError("user", "a user name of 1 to 256 characters"));
        }

        if (beforeSeq is < 0)
        {
            errors.Add(new FieldError("beforeSeq", "must not be negative"));
        }

        var newestFirst = order switch
        {
            null or "asc" => false,
            "desc" => true,
            _ => (bool?)null,
        };
        if (newestFirst is null)
        {
            errors.Add(new FieldError("order", "asc (sequence order, the default) or desc (newest first)"));
        }

        if (verify == true && limit is not (>= 1 and <= MaxVerifiedLimit))
        {
            errors.Add(new FieldError("limit", $"with verify=true, 1 to {MaxVerifiedLimit} entries per page"));
        }

        if (errors.Count > 0)
        {
            return Problems.InvalidFields(errors, http.Request.Path);
        }

        var ledger = StoreAccess.Journal(runtime.Store).Ledger;
        var filter = new LedgerFilter { Actions = action, ActorName = user, Case = @case, From = start, To = end, FromSeq = fromSeq, ToSeq = beforeSeq };
        var max = limit ?? DefaultLimit;
        var page = newestFirst == true ? NewestFirst(ledger, filter, max + 1) : ledger.Read(filter).Take(max + 1).ToList();
        var shown = page.Take(max).ToList();
        var answer = new JsonObject
        {
            ["entries"] = new JsonArray(shown.Select(e => JsonNode.Parse(e.Line.Span)).ToArray()),
            ["entryHashes"] = new JsonArray(shown.Select(e => (JsonNode)e.Hash).ToArray()),
            ["count"] = ledger.Count,
            ["nextFromSeq"] = newestFirst == true || page.Count <= max ? null : page[max].Seq,
            ["nextBeforeSeq"] = newestFirst == true && page.Count > max ? shown[^1].Seq : null,
        };
        if (verify == true)
        {
            answer["custody"] = new JsonArray(shown.Select(e => (JsonNode)Custody(ledger, e)).ToArray());
        }

        return Results.Json(answer);
    }

    /// <summary>
    /// Up to <paramref name="take"/> entries passing <paramref name="filter"/>, newest first: the
    /// ledger is read forward in windows from its end (doubling, so a rare match costs one pass).
    /// </summary>
    private static List<LedgerEntry> NewestFirst(CustodyLedger ledger, LedgerFilter filter, int take)
    {
        var found = new List<LedgerEntry>();
        var floor = filter.FromSeq ?? 0;
        var end = Math.Min(filter.ToSeq ?? long.MaxValue, ledger.Count);
        var window = 256L;
        while (end > floor && found.Count < take)
        {
            var start = Math.Max(floor, end - window);
            var chunk = ledger.Read(filter with { FromSeq = start, ToSeq = end }).ToList();
            for (var i = chunk.Count - 1; i >= 0 && found.Count < take; i--)
            {
                found.Add(chunk[i]);
            }

            end = start;
            window = Math.Min(window * 2, 65_536);
        }

        return found;
    }

    /// <summary>Whether <paramref name="entry"/> is proven included in the latest signed head (the proof and the head's signature checked).</summary>
    private static JsonObject Custody(CustodyLedger ledger, LedgerEntry entry)
    {
        var custody = new JsonObject { ["seq"] = entry.Seq, ["hash"] = entry.Hash };
        try
        {
            var proof = ledger.ProveInclusion(entry.Seq);
            var same = proof.Entry.AsSpan().SequenceEqual(entry.Line.Span);
            custody["verified"] = same;
            custody["treeSize"] = proof.TreeSize;
            if (!same)
            {
                custody["problem"] = "the entry read differs from the entry proven";
            }
        }
        catch (LedgerIntegrityException e)
        {
            custody["verified"] = false;
            custody["problem"] = e.Message;
        }

        return custody;
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
                ["verification"] = CheckpointVerification(checkpoint, runtime),
            }),
            "checkpoint.txt" => Results.Bytes(checkpoint.TextBytes, "text/plain; charset=utf-8", "checkpoint.txt"),
            "checkpoint.sig" => Results.Bytes(checkpoint.Signature, "application/octet-stream", "checkpoint.sig"),
            "checkpoint.tsr" when checkpoint.TimeStampResponse is not null => Results.Bytes(checkpoint.TimeStampResponse, "application/timestamp-reply", "checkpoint.tsr"),
            "tsa.pem" when checkpoint.TimeStampAuthorityPem is not null => Results.Bytes(System.Text.Encoding.ASCII.GetBytes(checkpoint.TimeStampAuthorityPem), "application/x-pem-file", "tsa.pem"),
            _ => Problems.InvalidField("file", "checkpoint.txt, checkpoint.sig, checkpoint.tsr or tsa.pem", http.Request.Path),
        };
    }

    /// <summary>
    /// The checks a reader of the checkpoint would make: the signature with the store's key and the
    /// RFC 3161 token over the checkpoint text, against the authority certificate the store holds.
    /// </summary>
    private static JsonObject CheckpointVerification(Checkpoint checkpoint, ServiceRuntime runtime)
    {
        var signature = checkpoint.VerifySignature(runtime.Store.Key);
        var result = new JsonObject { ["signature"] = signature };
        if (checkpoint.TimeStampResponse is null)
        {
            result["timeStamp"] = null;
            result["timeStampProblem"] = "the checkpoint has no time-stamp";
        }
        else
        {
            using var authority = checkpoint.TimeStampAuthorityPem is null ? null : TimeStampVerifier.LoadCertificatePem(checkpoint.TimeStampAuthorityPem);
            var stamp = TimeStampVerifier.Verify(checkpoint.TimeStampResponse, checkpoint.TextBytes, authority);
            result["timeStamp"] = stamp.IsValid;
            result["timeStampProblem"] = stamp.Failure;
            result["timeStampTime"] = stamp.GenTime?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        }

        result["verified"] = signature && result["timeStamp"]?.GetValue<bool>() == true;
        return result;
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
