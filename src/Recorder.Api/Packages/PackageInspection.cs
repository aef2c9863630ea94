using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Recorder.Api.Hosting;
using Recorder.Api.Policies;
using Recorder.Api.Security;
using Recorder.Application.Packaging;
using Recorder.Core.Hashing;
using Recorder.Core.Store;
using Recorder.Storage.Verification;

namespace Recorder.Api.Packages;

/// <summary>
/// Looking at a built package without downloading it: <c>GET /api/packages/{id}/verify</c> runs
/// the checks of <c>recorder verify-package</c> on the stored zip, and
/// <c>GET /api/packages/{id}/report/pages</c> renders the report's pages to PNG with poppler's
/// <c>pdftoppm</c> (the report is checked against its recorded SHA-256 first, and the read is ledgered).
/// </summary>
public static class PackageInspection
{
    /// <summary>Resolution of the preview images, in dots per inch.</summary>
    public const int PreviewDpi = 72;

    private const int MaxPages = 50;
    private static readonly TimeSpan RenderTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The checks of <see cref="PackageVerifier"/>, in the order it runs them, and which findings belong to each.</summary>
    private static readonly (string Name, Func<Finding, bool> Owns)[] Checks =
    [
        ("Signing key (signing.pub.pem)", f => f.Subject == "signing.pub.pem"),
        ("Checksums: SHA256SUMS signed, every file listed and unchanged", f => f.Subject.StartsWith("SHA256SUMS", StringComparison.Ordinal) || f.Check is "changed" or "added" or "removed"),
        ("Manifest signed by the store key", f => f.Subject == "manifest.json"),
        ("Evidence files match the manifest", f => f.Check is "evidence file" or "capture file"),
        ("Time-stamp authority certificate", f => f.Subject == "custody/tsa.pem"),
        ("Custody entries, inclusion proofs and the signed, time-stamped checkpoint", f => f.Subject.StartsWith("custody/", StringComparison.Ordinal) && !f.Subject.EndsWith("consistency.json", StringComparison.Ordinal)),
        ("Ledger consistency between the package's checkpoints", f => f.Subject.EndsWith("consistency.json", StringComparison.Ordinal)),
        ("Case description (case.jsonld)", f => f.Subject == "case.jsonld"),
    ];

    /// <summary>Maps the endpoints.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/api/packages").WithTags("Packages");
        group.MapGet("/{id}/verify", Verify).RequirePermission(Permission.PackagesBuild)
            .Produces<Hosting.PackageVerifyResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Run verify-package's checks on the stored zip: each check passed or its findings");
        group.MapGet("/{id}/report/pages", Pages).RequirePermission(Permission.ReportsBuild, Permission.PackagesBuild)
            .Produces<Hosting.ReportPagesResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("The report's pages as PNG images (data: URLs, rendered with pdftoppm) after checking the report's SHA-256; the read is ledgered");
    }

    /// <summary>Groups a verification's findings under the checks that found them; findings no check claims are listed under "Other".</summary>
    public static JsonArray Group(VerificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var left = report.Findings.ToList();
        var checks = new JsonArray();
        foreach (var (name, owns) in Checks)
        {
            var mine = left.Where(owns).ToList();
            left.RemoveAll(mine.Contains);
            checks.Add(new JsonObject { ["name"] = name, ["passed"] = mine.Count == 0, ["findings"] = Findings(mine) });
        }

        if (left.Count > 0)
        {
            checks.Add(new JsonObject { ["name"] = "Other (ledger facts)", ["passed"] = false, ["findings"] = Findings(left) });
        }

        return checks;
    }

    private static async Task<IResult> Verify(HttpContext http, ServiceRuntime runtime, string id)
    {
        if (PackageEndpoints.Find(runtime, id) is not { } record || !File.Exists(runtime.Packages.ZipPath(record["id"]!.GetValue<string>())))
        {
            return PackageEndpoints.NotFound(http, id);
        }

        var zip = runtime.Packages.ZipPath(record["id"]!.GetValue<string>());
        var report = await Task.Run(() => PackageVerifier.Verify(zip), http.RequestAborted).ConfigureAwait(false);
        return Results.Json(new JsonObject
        {
            ["packageId"] = record["id"]!.DeepClone(),
            ["passed"] = report.Passed,
            ["checks"] = Group(report),
            ["notes"] = report.Notes.DeepClone(),
            ["command"] = $"recorder verify-package evidence-package-{record["id"]}.zip",
        });
    }

    private static async Task<IResult> Pages(HttpContext http, ServiceRuntime runtime, string id)
    {
        var (record, pdf, problem) = PackageEndpoints.CheckedReport(http, runtime, id);
        if (problem is not null)
        {
            return problem;
        }

        var work = Path.Combine(Path.GetTempPath(), "recorder-report-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var source = Path.Combine(work, "report.pdf");
            await File.WriteAllBytesAsync(source, pdf!, http.RequestAborted).ConfigureAwait(false);
            var failure = await RenderAsync(source, Path.Combine(work, "page"), http.RequestAborted).ConfigureAwait(false);
            if (failure is not null)
            {
                return Problems.Problem(StatusCodes.Status503ServiceUnavailable, "preview-unavailable", "Preview unavailable",
                    $"the report's pages cannot be rendered here: {failure}; download the report instead", http.Request.Path);
            }

            var pages = new JsonArray();
            var files = Directory.GetFiles(work, "page-*.png").Order(StringComparer.Ordinal).ToList();
            for (var i = 0; i < files.Count; i++)
            {
                var png = await File.ReadAllBytesAsync(files[i], http.RequestAborted).ConfigureAwait(false);
                pages.Add(new JsonObject
                {
                    ["number"] = i + 1,
                    ["bytes"] = png.Length,
                    ["sha256"] = Hex.Lower(SHA256.HashData(png)),
                    ["src"] = "data:image/png;base64," + Convert.ToBase64String(png),
                });
            }

            PackageEndpoints.RecordRead(http, runtime, record!, LedgerActions.ReportRead,
                new Dictionary<string, string> { ["report"] = record!["reportSha256"]!.GetValue<string>(), ["manifest"] = record["manifestSha256"]!.GetValue<string>() },
                new JsonObject { ["bytes"] = pdf!.Length, ["as"] = "png", ["pages"] = pages.Count });
            return Results.Json(new JsonObject
            {
                ["packageId"] = record["id"]!.DeepClone(),
                ["reportSha256"] = record["reportSha256"]!.DeepClone(),
                ["dpi"] = PreviewDpi,
                ["pages"] = pages,
            });
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Runs <c>pdftoppm</c>; null when it rendered, else why not (not installed, failed, too slow).</summary>
    private static async Task<string?> RenderAsync(string pdf, string prefix, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo("pdftoppm") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in (string[])["-png", "-r", PreviewDpi.ToString(System.Globalization.CultureInfo.InvariantCulture), "-l", MaxPages.ToString(System.Globalization.CultureInfo.InvariantCulture), pdf, prefix])
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception)
        {
            return "pdftoppm (Debian package poppler-utils) is not installed";
        }

        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(RenderTimeout);
            var errors = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (cancellation.IsCancellationRequested)
                {
                    throw;
                }

                return $"pdftoppm took longer than {RenderTimeout.TotalSeconds:0} s";
            }

            var stderr = (await errors.ConfigureAwait(false)).Trim();
            return process.ExitCode == 0 ? null : $"pdftoppm exited with {process.ExitCode}: {(stderr.Length > 200 ? stderr[..200] : stderr)}";
        }
    }

    private static JsonArray Findings(IEnumerable<Finding> findings) => new(findings.Select(f => (JsonNode)new JsonObject
    {
        ["subject"] = f.Subject,
        ["check"] = f.Check,
        ["expected"] = f.Expected,
        ["found"] = f.Found,
    }).ToArray());
}
