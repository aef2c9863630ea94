using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Recorder.Core.Hashing;

namespace Recorder.Api.Dashboard;

/// <summary>
/// The dashboard's scripts, styles and page fragments, shipped inside the assembly (embedded from
/// <c>Dashboard/Assets</c>): nothing is fetched from anywhere at run time. Each is served with a
/// strong ETag (its SHA-256), revalidated on every load so an upgraded service is seen at once.
/// </summary>
public static class DashboardAssets
{
    private const string Prefix = "dashboard/";

    private static readonly FrozenDictionary<string, Asset> All = Load();

    /// <summary>The text of the embedded asset <paramref name="name"/> (e.g. <c>pages/home.html</c>).</summary>
    public static string Text(string name) =>
        All.TryGetValue(name, out var asset) ? System.Text.Encoding.UTF8.GetString(asset.Bytes) : throw new InvalidOperationException($"no dashboard asset '{name}'");

    /// <summary>True when <paramref name="name"/> is a shipped asset.</summary>
    public static bool Exists(string name) => All.ContainsKey(name);

    /// <summary>Serves the asset <paramref name="path"/> (404 for anything not shipped).</summary>
    public static IResult Serve(HttpContext http, string path)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!All.TryGetValue(path ?? string.Empty, out var asset) || path!.StartsWith("pages/", StringComparison.Ordinal))
        {
            return Hosting.Problems.NotFound($"no dashboard asset '{Core.Text.UserText.Escape(path ?? string.Empty, 64)}'", http.Request.Path);
        }

        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers.ETag = asset.ETag;
        if (http.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Bytes, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            var bytes = memory.ToArray();
            var name = resource[Prefix.Length..];
            assets[name] = new Asset(bytes, ContentType(name), new EntityTagHeaderValue("\"" + Hex.Lower(SHA256.HashData(bytes)) + "\"").ToString());
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".html" => "text/html; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".json" => "application/json; charset=utf-8",
        _ => "application/octet-stream",
    };

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
