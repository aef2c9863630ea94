using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Sessions;

/// <summary>A service over a store whose session metadata is built (<c>recorder sessions index</c>), shared by a test class.</summary>
public sealed class SessionsService : IAsyncLifetime
{
    public ServiceTestStore Store { get; private set; } = null!;

    public ServiceFactory Factory { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Store = ServiceTestStore.Create();
        Store.Run("sessions", "index");
        Factory = new ServiceFactory(Store.Options());
        return Task.CompletedTask;
    }

    public ApiClient As(string user) => Factory.As(user == "nobody" ? null : Store.Tokens[user]);

    /// <summary>The first TCP needle over IPv4 (a session with ports and a few hundred packets).</summary>
    public Recorder.Synthesis.Truth.FlowTruth Needle =>
        Store.Truth.Needles.First(n => n.Protocol == "tcp" && n.ServerPort > 0 && n.Server.Contains('.', StringComparison.Ordinal));

    /// <summary>The <c>sessions.searched</c> entries of the ledger, oldest first.</summary>
    public List<JsonObject> Searches() => LedgerFile.Entries(Store.StorePath).Where(e => e["action"]!.GetValue<string>() == "sessions.searched").ToList();

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        Store.Dispose();
    }
}
