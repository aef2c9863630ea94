using System.Text.Json.Nodes;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Recorder.Api.Capture;
using Recorder.Api.Policies;
using Recorder.Api.Queries;
using Recorder.Api.Security;
using Recorder.Api.Verification;
using Recorder.Core.Query;
using Recorder.Core.Store;
using Recorder.Core.Time;
using Recorder.Storage.Query;

namespace Recorder.Api.Hosting;

/// <summary>Health, segments, verification, users, configuration and capture control.</summary>
public static class ServiceEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/health", () => Results.Json(new JsonObject { ["status"] = "ok" }))
            .AllowAnonymous().Produces<HealthResponse>().WithTags("Service").WithSummary("Liveness; the only API endpoint that answers without a token");

        endpoints.MapGet("/api/segments", Segments).RequirePermission(Permission.SegmentsRead).WithTags("Store").Produces<SegmentListResponse>()
            .WithSummary("Sealed segments' metadata (never packets), and the open segments of live captures");

        var verify = endpoints.MapGroup("/api/verify").WithTags("Store");
        verify.MapPost("/", StartVerification).RequirePermission(Permission.VerifyRun).Produces<VerificationResponse>(StatusCodes.Status202Accepted)
            .WithSummary("Verify the whole store and ledger as a background job; 202 with its id and Location");
        verify.MapGet("/", (ServiceRuntime runtime) => Results.Json(new JsonObject
        {
            ["verifications"] = new JsonArray(runtime.Verifications.Latest(20).Select(r => (JsonNode)r).ToArray()),
        })).RequirePermission(Permission.VerifyRun).Produces<VerificationListResponse>()
            .WithSummary("The latest 20 verifications, newest first, each as GET /api/verify/{id} shows it");
        verify.MapGet("/{id}", Verification).RequirePermission(Permission.VerifyRun).Produces<VerificationResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A verification's state and, once done, its report");

        var users = endpoints.MapGroup("/api/users").WithTags("Administration");
        users.MapGet("/", ListUsers).RequirePermission(Permission.UsersManage).Produces<UserListResponse>().WithSummary("Users and their roles (never tokens)");
        users.MapPost("/", AddUser).RequirePermission(Permission.UsersManage).ReadsJsonBody<AddUserRequest>()
            .Produces<NewUserResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Add a user; the answer holds the token, shown once");
        users.MapDelete("/{name}", RevokeUser).RequirePermission(Permission.UsersManage).Produces<UserView>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Revoke a user's token");
        users.MapPatch("/{name}", Users.UserEndpoints.ChangeRoleAsync).RequirePermission(Permission.UsersManage).ReadsJsonBody<ChangeRoleRequest>()
            .Produces<UserView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Change a user's role: {\"role\": \"auditor\"}; the token stays the same");

        endpoints.MapGet("/api/config", Configuration).RequirePermission(Permission.ConfigRead).WithTags("Administration").Produces<ConfigResponse>()
            .WithSummary("Policies in force, sinks, job storage, chunking, node");

        var capture = endpoints.MapGroup("/api/capture").WithTags("Administration");
        capture.MapGet("/", (ServiceRuntime runtime) => Results.Json(runtime.Capture.Status())).RequirePermission(Permission.CaptureControl).Produces<CaptureStatusResponse>()
            .WithSummary("The live capture's state and counters");
        capture.MapPost("/start", StartCapture).RequirePermission(Permission.CaptureControl).ReadsJsonBody<CaptureStartRequest>()
            .Produces<CaptureStatusResponse>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Start live capture: {\"interface\": \"eth0\", \"filter\": \"BPF\"}");
        capture.MapPost("/stop", StopCapture).RequirePermission(Permission.CaptureControl).Produces<CaptureStopResponse>().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Stop live capture and seal what it recorded");
    }

    private static IResult Segments(ServiceRuntime runtime)
    {
        var layout = runtime.Store.Layout;
        var sealedSegments = runtime.Store.ListSegments().Select(s => (JsonNode)new JsonObject
        {
            ["id"] = s.Id,
            ["path"] = layout.Relative(s.Path),
            ["manifestPath"] = layout.Relative(s.ManifestPath),
            ["signaturePath"] = layout.Relative(s.SignaturePath),
            ["sha256"] = s.Manifest.Sha256,
            ["manifestSha256"] = s.ManifestSha256,
            ["packets"] = s.Manifest.Packets,
            ["bytes"] = s.Manifest.Bytes,
            ["linkType"] = s.Manifest.LinkType,
            ["firstTimestamp"] = s.Manifest.FirstTimestamp.ToString(),
            ["lastTimestamp"] = s.Manifest.LastTimestamp.ToString(),
            ["sealedAt"] = s.Manifest.SealedAt.ToString(),
            ["sealReason"] = s.Manifest.SealReason,
        }).ToArray();
        using var snapshot = StoreSnapshot.Take(runtime.Store, PacketQuery.All, includeOpenCaptures: true);
        return Results.Json(new JsonObject
        {
            ["segments"] = new JsonArray(sealedSegments),
            ["open"] = snapshot.OpenToJson(layout),
        });
    }

    private static IResult StartVerification(HttpContext http, ServiceRuntime runtime, IBackgroundJobClient jobs)
    {
        var caller = http.Caller();
        var id = QueryRepository.NewId();
        var seq = runtime.Ledger.Record(caller.Name, LedgerActions.VerifyRequested, new JsonObject { ["storeId"] = runtime.Store.StoreId, ["verificationId"] = id },
            null, new JsonObject { ["node"] = runtime.NodeName });
        var run = new JsonObject
        {
            ["id"] = id,
            ["state"] = "queued",
            ["requestedBy"] = caller.Name,
            ["requestedAt"] = Timestamp.Now(runtime.Clock).ToString(),
            ["requestedSeq"] = seq,
            ["links"] = new JsonObject { ["self"] = "/api/verify/" + id },
        };
        runtime.Verifications.Save(id, run);
        jobs.Enqueue<VerifyJob>(job => job.Run(id, CancellationToken.None));
        return Results.Json(run, statusCode: StatusCodes.Status202Accepted).WithLocation("/api/verify/" + id);
    }

    private static IResult Verification(HttpContext http, ServiceRuntime runtime, string id) =>
        QueryRepository.TryParseId(id, out var canonical) && runtime.Verifications.Load(canonical) is { } run
            ? Results.Json(run)
            : Problems.NotFound($"no verification with id '{(id.Length > 64 ? id[..64] : id)}'", http.Request.Path);

    private static IResult ListUsers(ServiceRuntime runtime) =>
        Results.Json(new JsonObject { ["users"] = new JsonArray(runtime.Users.List().Select(u => (JsonNode)u.ToPublicJson()).ToArray()) });

    private static async Task<IResult> AddUser(HttpContext http, ServiceRuntime runtime)
    {
        var caller = http.Caller();
        var (body, problem) = await RequestBody.ReadObjectAsync(http, runtime.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var errors = RequestBody.UnknownFields(body!, ["name", "role", "displayName"]).ToList();
        var name = RequestBody.StringOrNull(body!["name"]);
        var role = RequestBody.StringOrNull(body["role"]);
        var displayName = RequestBody.StringOrNull(body["displayName"]);
        if ((body["displayName"] is not null && displayName is null) || Users.ServiceUser.DisplayNameProblem(displayName) is not null)
        {
            errors.Add(new FieldError("displayName", Users.ServiceUser.DisplayNameProblem(displayName) ?? "must be a string"));
        }
        if (Users.UserDirectory.LocalNameProblem(name) is { } nameProblem)
        {
            errors.Add(new FieldError("name", nameProblem));
        }

        if (role is null || !runtime.Policies.Roles.ContainsKey(role))
        {
            errors.Add(new FieldError("role", $"one of {string.Join(", ", runtime.Policies.Roles.Keys.Order(StringComparer.Ordinal))}"));
        }

        if (errors.Count > 0)
        {
            return Problems.InvalidFields(errors, http.Request.Path);
        }

        Users.NewUser added;
        try
        {
            added = runtime.Users.Add(name!, role!, "service-user " + caller.Name, displayName);
        }
        catch (ArgumentException e)
        {
            return Problems.Conflict(e.Message, http.Request.Path);
        }

        runtime.Ledger.Record(caller.Name, LedgerActions.UserAdded, new JsonObject { ["user"] = name }, null, new JsonObject
        {
            ["role"] = role,
            ["tokenSha256"] = added.User.TokenSha256,
            ["via"] = "api",
        });
        var json = added.User.ToPublicJson();
        json["token"] = added.Token;
        return Results.Json(json, statusCode: StatusCodes.Status201Created);
    }

    private static IResult RevokeUser(HttpContext http, ServiceRuntime runtime, string name)
    {
        var caller = http.Caller();
        if (!Users.UserDirectory.IsValidName(name))
        {
            return Problems.NotFound($"no user named '{(name.Length > 64 ? name[..64] : name)}'", http.Request.Path);
        }

        try
        {
            var revoked = runtime.Users.Revoke(name, "service-user " + caller.Name);
            runtime.Ledger.Record(caller.Name, LedgerActions.UserRevoked, new JsonObject { ["user"] = name }, null, new JsonObject
            {
                ["role"] = revoked.Role,
                ["tokenSha256"] = revoked.TokenSha256,
                ["via"] = "api",
            });
            return Results.Json(revoked.ToPublicJson());
        }
        catch (KeyNotFoundException e)
        {
            return Problems.NotFound(e.Message, http.Request.Path);
        }
        catch (InvalidOperationException e)
        {
            return Problems.Conflict(e.Message, http.Request.Path);
        }
    }

    private static IResult Configuration(ServiceRuntime runtime)
    {
        var options = runtime.Options;
        return Results.Json(new JsonObject
        {
            ["node"] = runtime.NodeName,
            ["store"] = new JsonObject { ["path"] = runtime.Store.Layout.Root, ["storeId"] = runtime.Store.StoreId },
            ["jobs"] = new JsonObject
            {
                ["storage"] = runtime.JobStorageDescription,
                ["workers"] = options.Workers,
                ["queuePollIntervalMilliseconds"] = options.QueuePollInterval.TotalMilliseconds,
                ["invisibilityTimeoutSeconds"] = options.JobInvisibilityTimeout.TotalSeconds,
            },
            ["chunks"] = new JsonObject
            {
                ["maxPackets"] = options.Chunks.MaxPackets,
                ["maxBytes"] = options.Chunks.MaxBytes,
                ["maxDelayMilliseconds"] = options.Chunks.MaxDelay.TotalMilliseconds,
            },
            ["queryOpenSegments"] = options.QueryOpenSegments,
            ["maxRequestBodyBytes"] = options.MaxRequestBodyBytes,
            ["bpf"] = runtime.Bpf is null ? runtime.BpfUnavailable : "libpcap",
            ["policies"] = runtime.Policies.ToJson(),
            ["capture"] = runtime.Capture.Status(),
        });
    }

    private static async Task<IResult> StartCapture(HttpContext http, ServiceRuntime runtime)
    {
        var caller = http.Caller();
        var (body, problem) = await RequestBody.ReadObjectAsync(http, runtime.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var errors = RequestBody.UnknownFields(body!, ["interface", "filter"]).ToList();
        var interfaceName = RequestBody.StringOrNull(body!["interface"]);
        if (string.IsNullOrWhiteSpace(interfaceName) || interfaceName.Length > 64 || interfaceName.Any(char.IsControl))
        {
            errors.Add(new FieldError("interface", "an interface name is required"));
        }

        string? filter = null;
        if (body["filter"] is { } filterNode)
        {
            filter = RequestBody.StringOrNull(filterNode);
            if (filter is null)
            {
                errors.Add(new FieldError("filter", "must be a string"));
            }
        }

        if (errors.Count > 0)
        {
            return Problems.InvalidFields(errors, http.Request.Path);
        }

        runtime.Ledger.Record(caller.Name, LedgerActions.CaptureStartRequested, new JsonObject { ["interface"] = interfaceName }, null,
            new JsonObject { ["filter"] = filter, ["node"] = runtime.NodeName });
        try
        {
            return Results.Json(runtime.Capture.Start(interfaceName!, filter, caller.Name), statusCode: StatusCodes.Status202Accepted);
        }
        catch (CaptureRefusedException e)
        {
            return Problems.InvalidField(e.Field.Length > 0 ? e.Field : "interface", e.Message, http.Request.Path);
        }
        catch (InvalidOperationException e)
        {
            return Problems.Conflict(e.Message, http.Request.Path);
        }
    }

    private static IResult StopCapture(HttpContext http, ServiceRuntime runtime)
    {
        var caller = http.Caller();
        if (!runtime.Capture.IsRunning)
        {
            return Problems.Conflict("no capture is running", http.Request.Path);
        }

        runtime.Ledger.Record(caller.Name, LedgerActions.CaptureStopRequested, new JsonObject(), null, new JsonObject { ["node"] = runtime.NodeName });
        return Results.Json(runtime.Capture.Stop());
    }
}
