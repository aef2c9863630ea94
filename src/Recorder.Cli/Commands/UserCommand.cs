#if RECORDER_SERVICE
using System.CommandLine;
using System.Text.Json.Nodes;
using Recorder.Api.Policies;
using Recorder.Api.Users;
using Recorder.Core.Store;
using Recorder.Core.Time;

namespace Recorder.Cli.Commands;

/// <summary>
/// <c>recorder user add|list|revoke</c>: the service's users. A new user's token is printed once;
/// only its SHA-256 is stored (STORE/service/users.json). Adding and revoking are ledgered.
/// </summary>
internal static class UserCommand
{
    public static Command Create(CommandFactory factory)
    {
        var name = new Option<string>("--name") { Description = "The user's name (a-z, 0-9, '.', '_', '-'; as ledger entries show it)", Required = true, HelpName = "NAME" };
        var role = new Option<string>("--role") { Description = "The role (defined in the policies' roles.json)", Required = true, HelpName = "ROLE" };
        var policies = new Option<string?>("--policies") { Description = "Policy directory whose roles are checked (as for recorder serve)", HelpName = "DIR" };
        var displayName = new Option<string?>("--display-name") { Description = "The person's name as reports print it (e.g. as a package's examiner)", HelpName = "TEXT" };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var add = new Command("add", "Add a user and print their bearer token (once)") { name, role, displayName, policies, json };
        factory.SetAction(add, (context, _) =>
        {
            var userName = context.Parse.GetValue(name)!;
            var roleName = context.Parse.GetValue(role)!;
            if (UserDirectory.LocalNameProblem(userName) is { } nameProblem)
            {
                throw CliException.Usage("--name: " + nameProblem);
            }

            PolicySet loaded;
            try
            {
                loaded = PolicyLoader.Load(PolicyLoader.Resolve(context.Parse.GetValue(policies)));
            }
            catch (PolicyException e)
            {
                throw CliException.Usage("policies: " + e.Message);
            }

            if (!loaded.Roles.ContainsKey(roleName))
            {
                throw CliException.Usage($"--role: no role '{roleName}' in {Path.Combine(loaded.Directory, PolicySet.RolesFileName)} (roles: {string.Join(", ", loaded.Roles.Keys.Order(StringComparer.Ordinal))})");
            }

            using var store = context.OpenStore(create: false);
            var users = new UserDirectory(store.Layout, store.Clock);
            NewUser added;
            try
            {
                added = users.Add(userName, roleName, $"os-user {Environment.UserName}@{Environment.MachineName}", context.Parse.GetValue(displayName));
            }
            catch (ArgumentException e)
            {
                throw CliException.Usage((e.ParamName == "displayName" ? "--display-name: " : "--name: ") + CommandFactory.OneLine(e));
            }

            store.Record(LedgerActions.UserAdded, new JsonObject { ["user"] = userName }, new Dictionary<string, string>(), new JsonObject
            {
                ["role"] = roleName,
                ["tokenSha256"] = added.User.TokenSha256,
                ["via"] = "cli",
                ["at"] = Timestamp.Now(store.Clock).ToString(),
            });
            if (context.Parse.GetValue(json))
            {
                context.WriteJson(new JsonObject { ["name"] = userName, ["role"] = roleName, ["displayName"] = added.User.DisplayName, ["token"] = added.Token });
            }
            else
            {
                context.Output.WriteLine($"added user {userName} ({roleName}). Their bearer token, shown this once (only its SHA-256 is kept):");
                context.Output.WriteLine(added.Token);
            }

            return ExitCodes.Ok;
        });

        var listJson = new Option<bool>("--json") { Description = "Machine-readable output" };
        var list = new Command("list", "List users and roles (never tokens)") { listJson };
        factory.SetAction(list, (context, _) =>
        {
            using var store = context.OpenStore(create: false);
            var users = new UserDirectory(store.Layout, store.Clock).List();
            if (context.Parse.GetValue(listJson))
            {
                context.WriteJson(new JsonArray(users.Select(u => (JsonNode)u.ToPublicJson()).ToArray()));
                return ExitCodes.Ok;
            }

            context.Output.WriteLine($"{"name",-24} {"role",-14} {"added",-32} revoked");
            foreach (var user in users)
            {
                context.Output.WriteLine($"{user.Name,-24} {user.Role,-14} {user.CreatedAt,-32} {user.RevokedAt ?? "-"}");
            }

            return ExitCodes.Ok;
        });

        var revokeName = new Option<string>("--name") { Description = "The user whose token is revoked", Required = true, HelpName = "NAME" };
        var revokeJson = new Option<bool>("--json") { Description = "Machine-readable output" };
        var revoke = new Command("revoke", "Revoke a user's token (the name is never reused)") { revokeName, revokeJson };
        factory.SetAction(revoke, (context, _) =>
        {
            var userName = context.Parse.GetValue(revokeName)!;
            using var store = context.OpenStore(create: false);
            ServiceUser revoked;
            try
            {
                revoked = new UserDirectory(store.Layout, store.Clock).Revoke(userName, $"os-user {Environment.UserName}@{Environment.MachineName}");
            }
            catch (KeyNotFoundException e)
            {
                throw CliException.Usage("--name: " + e.Message);
            }
            catch (InvalidOperationException e)
            {
                throw new CliException(ExitCodes.Problem, e.Message);
            }

            store.Record(LedgerActions.UserRevoked, new JsonObject { ["user"] = userName }, new Dictionary<string, string>(), new JsonObject
            {
                ["role"] = revoked.Role,
                ["tokenSha256"] = revoked.TokenSha256,
                ["via"] = "cli",
            });
            if (context.Parse.GetValue(revokeJson))
            {
                context.WriteJson(revoked.ToPublicJson());
                return ExitCodes.Ok;
            }

            context.Output.WriteLine($"revoked user {userName} ({revoked.Role}) at {revoked.RevokedAt}");
            return ExitCodes.Ok;
        });
        return new Command("user", ServiceCommands.UserDescription) { add, list, revoke };
    }
}
#endif
