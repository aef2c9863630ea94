using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;
using Recorder.TestSupport;

namespace Recorder.Api.Tests.Hosting;

/// <summary><c>recorder serve</c> as a real process: it listens, answers, and stops cleanly on SIGTERM; HTTPS with a certificate.</summary>
public sealed class ServeCommandTests
{
    [Fact]
    public async Task Serve_ListensOnTheGivenAddress_AndStopsCleanlyOnSigterm()
    {
        using var store = ServiceTestStore.Create(packets: 1_000);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "recorder.dll"), "--store", store.StorePath, "serve", "--urls", "http://127.0.0.1:0", "--policies", store.PoliciesPath })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var line = await process.StandardOutput.ReadLineAsync();
        Assert.NotNull(line);
        Assert.StartsWith("recorder serve: listening on http://127.0.0.1:", line, StringComparison.Ordinal);
        var address = new Uri(line["recorder serve: listening on ".Length..]);
        using (var client = new HttpClient { BaseAddress = address })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/queries")).StatusCode);
        }

        Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var rest = await process.StandardOutput.ReadToEndAsync();
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await error}");
        Assert.Contains("recorder serve: stopped", rest, StringComparison.Ordinal);
        var actions = LedgerFile.Entries(store.StorePath).Select(e => e["action"]!.GetValue<string>()).ToList();
        Assert.Equal("service.stopped", actions[^1]);
        Assert.Contains("service.started", actions);
    }

    [Fact]
    public async Task Serve_WithJson_SaysWhereItListensAndThatItStopped_OneObjectPerLine()
    {
        using var store = ServiceTestStore.Create(packets: 1_000);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "recorder.dll"), "--store", store.StorePath, "serve", "--urls", "http://127.0.0.1:0", "--policies", store.PoliciesPath, "--workers", "2", "--json" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var line = await process.StandardOutput.ReadLineAsync();
        Assert.NotNull(line);
        var listening = JsonNode.Parse(line)!.AsObject();
        Assert.Equal("listening", listening["event"]!.GetValue<string>());
        Assert.Equal(store.StorePath, listening["store"]!.GetValue<string>());
        Assert.Equal("sqlite", listening["jobs"]!.GetValue<string>());
        Assert.Equal(2, listening["workers"]!.GetValue<int>());
        Assert.Contains(":", listening["node"]!.GetValue<string>(), StringComparison.Ordinal);
        var address = new Uri(Assert.Single(listening["urls"]!.AsArray())!.GetValue<string>());
        Assert.NotEqual(0, address.Port);
        Assert.Equal(address + "ui/", listening["dashboard"]!.GetValue<string>());
        using (var client = new HttpClient { BaseAddress = address })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        }

        Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var rest = (await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await error}");
        var stopped = JsonNode.Parse(Assert.Single(rest))!;
        Assert.Equal("stopped", stopped["event"]!.GetValue<string>());
        Assert.Equal(listening["node"]!.GetValue<string>(), stopped["node"]!.GetValue<string>());
    }

    [Fact]
    public async Task Serve_WithACertificate_AnswersOverHttps()
    {
        using var store = ServiceTestStore.Create(packets: 1_000);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        var pfx = store.Directory.File("service.pfx");
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pkcs12, "pfx-password"));

        var options = store.Options() with { Urls = ["https://127.0.0.1:0"], CertificatePath = pfx, CertificatePassword = "pfx-password" };
        await using var service = await KestrelService.StartAsync(options);
        Assert.Equal("https", service.BaseAddress.Scheme);
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
        };
        using var client = new HttpClient(handler) { BaseAddress = service.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", store.Tokens["alice"]);
        using var response = await client.GetAsync("/api/queries");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Serve_WithHttpsButNoCertificate_IsRefused()
    {
        using var directory = new TempDirectory("recorder-serve");
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Recorder.Cli.RecorderCli.RunAsync(["--store", directory.Path, "serve", "--urls", "https://127.0.0.1:0"], output, error);
        Assert.Equal(2, code);
        Assert.Contains("needs a certificate", error.ToString(), StringComparison.Ordinal);
    }
}
