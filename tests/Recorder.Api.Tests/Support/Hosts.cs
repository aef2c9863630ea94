using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Recorder.Api.Hosting;

namespace Recorder.Api.Tests.Support;

/// <summary>The service in a test server, through WebApplicationFactory (the same composition as <c>recorder serve</c>).</summary>
public sealed class ServiceFactory(ServiceOptions options) : WebApplicationFactory<ServiceFactory>
{
    protected override IHostBuilder CreateHostBuilder() =>
        Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .ConfigureWebHostDefaults(web =>
            {
                web.ConfigureServices(services => RecorderService.AddServices(services, ServiceRuntime.Open(options)));
                web.Configure(RecorderService.UsePipeline);
            });

    /// <summary>The service serves no files: its content root is wherever the tests run.</summary>
    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseContentRoot(AppContext.BaseDirectory);

    /// <summary>A client sending <paramref name="token"/> as its bearer token (none: no Authorization header).</summary>
    public ApiClient As(string? token)
    {
        var client = CreateClient();
        client.Timeout = TimeSpan.FromMinutes(2);
        return new ApiClient(client, token);
    }
}

/// <summary>The service on a real Kestrel on 127.0.0.1 (a free port), built exactly as <c>recorder serve</c> builds it.</summary>
public sealed class KestrelService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelService(WebApplication app)
    {
        _app = app;
        BaseAddress = new Uri(app.Urls.First());
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<KestrelService> StartAsync(ServiceOptions options)
    {
        var app = RecorderService.Build(options, builder => builder.Logging.ClearProviders());
        await app.StartAsync();
        return new KestrelService(app);
    }

    public ApiClient As(string? token) => new(new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(5) }, token);

    /// <summary>Stops the service as Ctrl-C would.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>An HTTP client for the service with helpers for queries.</summary>
public sealed class ApiClient : IDisposable
{
    public ApiClient(HttpClient http, string? token)
    {
        Http = http;
        if (token is not null)
        {
            Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public HttpClient Http { get; }

    public Task<HttpResponseMessage> GetAsync(string path) => Http.GetAsync(path);

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public async Task<JsonObject> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Submits a query and returns its id (asserting 202).</summary>
    public async Task<string> SubmitAsync(JsonObject body)
    {
        using var response = await PostJsonAsync("/api/queries", body.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/queries: {(int)response.StatusCode} {text}");
        var id = JsonNode.Parse(text)!["id"]!.GetValue<string>();
        Assert.Equal("/api/queries/" + id, response.Headers.Location?.OriginalString);
        return id;
    }

    /// <summary>A query body for host and port over the test store's window.</summary>
    public static JsonObject Query(string host, int port, (string From, string To) window, params string[] sinks) => new()
    {
        ["case"] = "CASE-42",
        ["reason"] = "indicator from a test",
        ["filter"] = new JsonObject
        {
            ["hosts"] = new JsonArray(host),
            ["ports"] = new JsonArray(port),
            ["from"] = window.From,
            ["to"] = window.To,
        },
        ["sinks"] = new JsonArray(sinks.Select(s => (JsonNode)s).ToArray()),
    };

    /// <summary>Polls the query until <paramref name="done"/> holds.</summary>
    public async Task<JsonObject> WaitAsync(string id, Func<JsonObject, bool> done, TimeSpan? timeout = null)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var status = await GetJsonAsync("/api/queries/" + id);
            if (done(status))
            {
                return status;
            }

            if (stopwatch.Elapsed > (timeout ?? TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException($"query {id} did not get there: {status.ToJsonString()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the query and all its sinks have finished.</summary>
    public Task<JsonObject> WaitSettledAsync(string id, TimeSpan? timeout = null) =>
        WaitAsync(id, s => s["state"]!.GetValue<string>() is "succeeded" or "failed" or "cancelled"
            && s["sinks"]!.AsArray().All(k => k!["state"]!.GetValue<string>() is "succeeded" or "failed"), timeout);

    public void Dispose() => Http.Dispose();
}

/// <summary>Reads the store's ledger (as an auditor would, from the file).</summary>
public static class LedgerFile
{
    public static List<JsonObject> Entries(string storePath) =>
        File.ReadAllLines(Path.Combine(storePath, "ledger", "ledger.jsonl"))
            .Select(line => JsonNode.Parse(line) as JsonObject)
            .Where(entry => entry?["action"] is not null)
            .Select(entry => entry!)
            .ToList();

    public static List<JsonObject> ForQuery(string storePath, string queryId) =>
        Entries(storePath).Where(e => e["subjects"]?["queryId"]?.GetValue<string>() == queryId).ToList();
}
