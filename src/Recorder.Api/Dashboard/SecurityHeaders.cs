using Microsoft.AspNetCore.Http;

namespace Recorder.Api.Dashboard;

/// <summary>
/// Headers on every answer: never framed by another site, no content-type sniffing, no referrer
/// leaving the origin; and on the dashboard's pages a strict Content-Security-Policy: scripts,
/// styles and connections from this origin only, no inline script or style, no plugins, no framing.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    /// <summary>The dashboard's Content-Security-Policy.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; "
        + "frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

    /// <summary>Handles one request.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        if (context.Request.Path.StartsWithSegments(DashboardPaths.Root, StringComparison.Ordinal))
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
        }

        return next(context);
    }
}
