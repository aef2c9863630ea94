using System.Text;
using CsCheck;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Hosting;

/// <summary>
/// No request may produce a 500: random bodies, content types, path values and query strings sent
/// by every kind of user (and by nobody) to every operation the OpenAPI document lists, plus the
/// pages it does not (dashboard sign-in, Hangfire), always get an answer below 500.
/// </summary>
public sealed class NoServerErrorPropertyTests(SharedService service) : IClassFixture<SharedService>
{
    private static readonly string[] Users = ["alice", "lena", "ivan", "ada", "nobody"];

    private static readonly string?[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=b", "multipart/form-data", "application/problem+json", null,
    ];

    /// <summary>Operations the OpenAPI document leaves out on purpose (pages for browsers, Hangfire's own routes).</summary>
    private static readonly (string Method, string Path)[] Undocumented =
    [
        ("POST", "/dashboard/login"), ("GET", "/dashboard/login"), ("POST", "/hangfire/logout"), ("POST", "/hangfire/stats"),
        ("GET", "/hangfire/stats"), ("POST", "/hangfire/jobs/succeeded/requeue"), ("GET", "/hangfire/jobs/details/{id}"),
        ("GET", "/hangfire/jobs/{state}"), ("POST", "/hangfire/recurring/trigger"),
    ];

    [Fact]
    public async Task AnyRequest_ToAnyEndpoint_IsAnsweredBelow500()
    {
        var operations = (await DocumentedOperationsAsync()).Concat(Undocumented).ToArray();
        Assert.True(operations.Length > 20, $"the OpenAPI document lists only {operations.Length} operations");

        var text = Gen.OneOf(Gen.String, Gen.String.AlphaNumeric, Gen.Const(service.AliceQuery), Gen.Const("-1"), Gen.Const("99999999999999999999"),
            Gen.Const("..%2F..%2Fkeys"), Gen.Const("%00"), Gen.Const("%ED%A0%80"), Gen.Const("%FF"));
        var queryString = Gen.Select(text, text).Array[0, 4]
            .Select(pairs => string.Join('&', pairs.Select(p => Uri.EscapeDataString(p.Item1) + "=" + Uri.EscapeDataString(p.Item2))));
        var body = Gen.OneOf(Gen.Byte.Array[0, 300], Gen.String.Select(s => Encoding.UTF8.GetBytes(s)), JsonBodies());
        var request = Gen.Select(Gen.Int[0, operations.Length - 1], Gen.Int[0, Users.Length - 1], text, queryString, body, Gen.Int[0, ContentTypes.Length - 1]);

        await request.SampleAsync(async (operation, user, pathValue, query, bytes, contentType) =>
        {
            var (method, template) = operations[operation];
            var path = ReplacePathValues(template, pathValue) + (query.Length > 0 ? "?" + query : string.Empty);
            using var client = service.As(Users[user]);
            using var message = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT" or "PATCH" || bytes.Length > 0)
            {
                message.Content = new ByteArrayContent(bytes);
                if (ContentTypes[contentType] is { } type)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
                }
            }

            using var response = await client.Http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"{method} {path} as {Users[user]} ({ContentTypes[contentType]}, {bytes.Length} bytes): {status} {await ReadSomeAsync(response)}");
            // The sign-in page answers a form it can read with the page and a message for the person
            // at the browser; everything else, that page's refusals of what is not its form included, is a problem document.
            var browserPage = template == "/dashboard/login" && response.Content.Headers.ContentType?.MediaType == "text/html"
                && ContentTypes[contentType] == "application/x-www-form-urlencoded";
            if (status >= 400 && !browserPage)
            {
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
                    $"{method} {path} as {Users[user]}: {status} {response.Content.Headers.ContentType} {await ReadSomeAsync(response)}");
            }
        }, iter: 250, threads: 1);
    }

    /// <summary>JSON-shaped bodies: the right fields with hostile values, which random bytes rarely reach.</summary>
    private static Gen<byte[]> JsonBodies()
    {
        // Values as JSON text, so that nothing is shared between samples and a name may repeat.
        static string Json(string s) => System.Text.Json.JsonSerializer.Serialize(s);
        var value = Gen.OneOf(Gen.String.Select(Json), Gen.Long.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Const("null"), Gen.Const("[]"), Gen.Const("{}"), Gen.Const("\"1678-01-01T00:00:00Z\""), Gen.Const("\"2262-01-01T00:00:00Z\""),
            Gen.Const("\"udp\\u0000 or tcp\""), Gen.Const("\"\\ud800\""), Gen.Const("1e400"));
        var names = Gen.OneOf(Gen.Const("case"), Gen.Const("reason"), Gen.Const("filter"), Gen.Const("name"), Gen.Const("role"), Gen.Const("queries"),
            Gen.Const("title"), Gen.Const("interface"), Gen.Const("sinks"), Gen.String);
        var filter = Gen.Select(value, value, value).Select((from, to, bpf) => $"{{\"from\":{from},\"to\":{to},\"bpf\":{bpf}}}");
        return Gen.Select(names, value, filter).Array[0, 6].Select(members =>
            Encoding.UTF8.GetBytes("{" + string.Join(',', members.Select(m => Json(m.Item1) + ":" + (m.Item1 == "filter" ? m.Item3 : m.Item2))) + "}"));
    }

    private static string ReplacePathValues(string template, string value)
    {
        var escaped = Uri.EscapeDataString(value);
        var builder = new StringBuilder();
        var depth = 0;
        foreach (var c in template)
        {
            if (c == '{' && depth++ == 0)
            {
                builder.Append(escaped.Length == 0 ? "x" : escaped);
            }
            else if (c == '}')
            {
                depth--;
            }
            else if (depth == 0)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private async Task<List<(string Method, string Path)>> DocumentedOperationsAsync()
    {
        using var ada = service.As("ada");
        var document = await ada.GetJsonAsync("/openapi/v1.json");
        return document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation => (operation.Key.ToUpperInvariant(), path.Key)))
            .Where(operation => operation.Item1 is "GET" or "POST" or "PUT" or "DELETE" or "PATCH")
            .ToList();
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length > 400 ? text[..400] : text;
    }
}
