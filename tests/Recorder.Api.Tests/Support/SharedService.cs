using System.Text.Json.Nodes;

namespace Recorder.Api.Tests.Support;

/// <summary>
/// One store and one service (through WebApplicationFactory) shared by a test class, with one query
/// of alice's already finished (its result, chunks and a folder-sink artifact exist).
/// </summary>
public sealed class SharedService : IAsyncLifetime
{
    public ServiceTestStore Store { get; private set; } = null!;

    public ServiceFactory Factory { get; private set; } = null!;

    /// <summary>alice's finished query.</summary>
    public string AliceQuery { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Store = ServiceTestStore.Create(sinks: new JsonObject
        {
            ["drop"] = new JsonObject { ["type"] = "folder", ["directory"] = "drop" },
        });
        Factory = new ServiceFactory(Store.Options());
        using var alice = Factory.As(Store.Tokens["alice"]);
        AliceQuery = await alice.SubmitAsync(ApiClient.Query(Store.Needle.Server, Store.Needle.ServerPort, Store.Window, "drop"));
        var done = await alice.WaitSettledAsync(AliceQuery);
        Assert.Equal("succeeded", done["state"]!.GetValue<string>());
    }

    public ApiClient As(string user) => Factory.As(user == "nobody" ? null : Store.Tokens[user]);

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        Store.Dispose();
    }
}
