using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Recorder.Api.Hosting;
using Recorder.Api.Security;
using Recorder.Core.Store;

namespace Recorder.Api.Users;

/// <summary>Changing a user's role over HTTP (<c>PATCH /api/users/{name}</c>), ledgered as <c>user.role-changed</c>.</summary>
public static class UserEndpoints
{
    /// <summary>Gives the user <paramref name="name"/> the role the body names: <c>{"role": "auditor"}</c>.</summary>
    public static async Task<IResult> ChangeRoleAsync(HttpContext http, ServiceRuntime runtime, string name)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(runtime);
        var caller = http.Caller();
        if (!UserDirectory.IsValidName(name))
        {
            return Problems.NotFound($"no user named '{Core.Text.UserText.Escape(name, 64)}'", http.Request.Path);
        }

        var (body, problem) = await RequestBody.ReadObjectAsync(http, runtime.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var errors = RequestBody.UnknownFields(body!, ["role"]).ToList();
        var role = RequestBody.StringOrNull(body!["role"]);
        if (role is null || !runtime.Policies.Roles.ContainsKey(role))
        {
            errors.Add(new FieldError("role", $"one of {string.Join(", ", runtime.Policies.Roles.Keys.Order(StringComparer.Ordinal))}"));
        }

        if (errors.Count > 0)
        {
            return Problems.InvalidFields(errors, http.Request.Path);
        }

        try
        {
            var (before, after) = runtime.Users.ChangeRole(name, role!);
            runtime.Ledger.Record(caller.Name, LedgerActions.UserRoleChanged, new JsonObject { ["user"] = name }, null, new JsonObject
            {
                ["role"] = after.Role,
                ["previousRole"] = before.Role,
                ["tokenSha256"] = after.TokenSha256,
                ["via"] = "api",
            });
            return Results.Json(after.ToPublicJson());
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
}
