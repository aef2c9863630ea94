using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests;

/// <summary>
/// The published CLI: <c>dotnet publish src/Recorder.Cli</c> makes a native (AOT) <c>recorder</c> and
/// the managed <c>recorder-service</c> beside it. Runs the important commands through the native one
/// (synth, import, indexed and BPF queries, package, verify-package, verify) and checks that they give
/// what the managed build gives, and that <c>serve</c> is handed over.
/// Publishing takes one to three minutes; filter it out with <c>--filter Category!=NativePublish</c>.
/// </summary>
[Trait("Category", "NativePublish")]
public sealed class NativePublishTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-native");

    private string Store => _directory.File("store");

    [SkippableFact]
    public void PublishedRecorder_IsNative_RunsTheCommands_AndHandsServeToTheService()
    {
        SkipUnlessNativeToolchain();
        var published = _directory.File("published");
        var publish = ExternalTools.Run("dotnet", ["publish", Path.Combine(ExternalTools.RepositoryRoot, "src", "Recorder.Cli"), "-c", "Release", "-o", published],
            TimeSpan.FromMinutes(8), environment: null);
        Assert.True(publish.ExitCode == 0, $"dotnet publish failed:\n{publish.Output}\n{publish.Error}");
        var recorder = Path.Combine(published, "recorder");
        Assert.True(IsElf(recorder), "the published recorder is not an executable");
        Assert.False(File.Exists(Path.Combine(published, "recorder.dll")), "the published recorder is managed (recorder.dll beside it)");
        Assert.True(File.Exists(Path.Combine(published, "recorder-service")), "recorder-service is not published beside recorder");

        // Synthesis (source-generated JSON in the native build): the same capture and truth as the managed build.
        var sample = _directory.File("sample.pcap");
        var synth = Run(recorder, "synth", "--out", sample, "--packets", "5000", "--seed", "3", "--truth", _directory.File("sample.json"));
        Assert.True(synth.ExitCode == 0, synth.ToString());
        var managedSample = _directory.File("managed.pcap");
        Assert.Equal(0, Cli.Run("synth", "--out", managedSample, "--packets", "5000", "--seed", "3", "--truth", _directory.File("managed.json")).ExitCode);
        Assert.Equal(CaptureFiles.Sha256(managedSample), CaptureFiles.Sha256(sample));
        Assert.Equal(File.ReadAllText(_directory.File("managed.json")), File.ReadAllText(_directory.File("sample.json")));
        var truth = Synthesis.Truth.SynthesisTruth.FromJson(File.ReadAllText(_directory.File("sample.json")));

        var import = Run(recorder, "--store", Store, "import", sample, "--json");
        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Equal(truth.Packets, import.Json["packets"]!.GetValue<long>());

        // An indexed needle query (RocksDB) and a BPF query (libpcap): the native build loads both
        // native libraries from its directory, and extracts what the managed build extracts.
        var needle = truth.Needles[0];
        var output = _directory.File("needle.pcap");
        var query = Run(recorder, "--store", Store, "query", "--host", needle.Query.Hosts[0], "--port", needle.Query.Ports[0].ToString(CultureInfo.InvariantCulture),
            "--case", "T-1", "--reason", "tests", "--out", output, "--json");
        Assert.True(query.ExitCode == 0, query.ToString());
        Assert.Equal(needle.Packets, query.Json["packets"]!.GetValue<long>());
        Assert.Equal(CaptureFiles.Sha256(output), query.Json["sha256"]!.GetValue<string>());
        var managedOutput = _directory.File("needle-managed.pcap");
        Assert.Equal(0, Cli.Run("--store", Store, "query", "--host", needle.Query.Hosts[0], "--port", needle.Query.Ports[0].ToString(CultureInfo.InvariantCulture),
            "--case", "T-1", "--reason", "tests", "--out", managedOutput).ExitCode);
        Assert.Equal(CaptureFiles.Sha256(managedOutput), CaptureFiles.Sha256(output));

        var bpf = Run(recorder, "--store", Store, "query", "--bpf", needle.Bpf, "--case", "T-1", "--reason", "tests", "--out", _directory.File("bpf.pcap"), "--json");
        Assert.True(bpf.ExitCode == 0, bpf.ToString());
        Assert.Equal(needle.Packets, bpf.Json["packets"]!.GetValue<long>());

        // An evidence package (PDFsharp report, CASE/UCO, custody proofs) built by the native build and
        // checked offline by it and by the managed build.
        var package = _directory.File("package.zip");
        var built = Run(recorder, "--store", Store, "package", "--query", query.Json["queryId"]!.GetValue<string>(), "--out", package, "--title", "Native");
        Assert.True(built.ExitCode == 0, built.ToString());
        var checkedNative = Run(recorder, "verify-package", package);
        Assert.True(checkedNative.ExitCode == 0, checkedNative.ToString());
        Assert.Equal(0, Cli.Run("verify-package", package).ExitCode);

        var verify = Run(recorder, "--store", Store, "verify", "--json");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.True(verify.Json["passed"]!.GetValue<bool>());

        AssertServeIsHandedOver(recorder);
    }

    public void Dispose() => _directory.Dispose();

    private void AssertServeIsHandedOver(string recorder)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(recorder)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--store", Store, "serve", "--urls", $"http://127.0.0.1:{port}", "--workers", "1" })
        {
            start.ArgumentList.Add(argument);
        }

        using var serve = Process.Start(start)!;
        var output = serve.StandardOutput.ReadToEndAsync();
        var error = serve.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            string? health = null;
            var waited = Stopwatch.StartNew();
            while (health is null && waited.Elapsed < TimeSpan.FromSeconds(90) && !serve.HasExited)
            {
                try
                {
                    health = http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/health")).GetAwaiter().GetResult();
                }
                catch (HttpRequestException)
                {
                    Thread.Sleep(100);
                }
            }

            Assert.True(health is not null, $"serve did not answer /health (exited: {serve.HasExited})");
            Assert.Equal("ok", JsonNode.Parse(health)!["status"]!.GetValue<string>());

            // The same process now runs the managed service: recorder replaced itself (execv).
            Assert.Equal("recorder-service", Path.GetFileName(new FileInfo($"/proc/{serve.Id}/exe").LinkTarget));

            Assert.Equal(0, ExternalTools.Run("kill", ["-TERM", serve.Id.ToString(CultureInfo.InvariantCulture)]).ExitCode);
            Assert.True(serve.WaitForExit(TimeSpan.FromSeconds(60)), "serve did not stop on SIGTERM");
            serve.WaitForExit();
            Assert.True(serve.ExitCode == 0, $"exit {serve.ExitCode}\n{output.Result}\n{error.Result}");
            Assert.Contains("recorder serve: stopped", output.Result, StringComparison.Ordinal);
        }
        finally
        {
            if (!serve.HasExited)
            {
                serve.Kill(entireProcessTree: true);
            }
        }
    }

    private static CliResult Run(string recorder, params string[] args)
    {
        var (code, output, error) = ExternalTools.Run(recorder, args, TimeSpan.FromMinutes(2));
        return new CliResult(code, output, error);
    }

    /// <summary>Native AOT needs the ILCompiler package for this machine and a C toolchain to link.</summary>
    private static void SkipUnlessNativeToolchain()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the native publish test runs on Linux");
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var compiler = Path.Combine(packages, $"runtime.{RuntimeInformation.RuntimeIdentifier}.microsoft.dotnet.ilcompiler");
        Skip.IfNot(Directory.Exists(compiler) && Directory.EnumerateDirectories(compiler).Any(),
            $"the ILCompiler package for {RuntimeInformation.RuntimeIdentifier} is not restored ({compiler}): native publish test skipped");
        Skip.If(ExternalTools.Find("clang") is null && ExternalTools.Find("gcc") is null, "no clang or gcc to link the native executable: native publish test skipped");
    }

    private static bool IsElf(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        Span<byte> magic = stackalloc byte[4];
        using var file = File.OpenRead(path);
        return file.Read(magic) == 4 && magic.SequenceEqual("\u007fELF"u8);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
