using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Hosting;

/// <summary>
/// The served OpenAPI document is complete and cannot drift from what the endpoints really send:
/// real responses of the main endpoints are checked against the schemas it declares.
/// </summary>
public sealed class OpenApiDocumentTests(SharedService service) : IClassFixture<SharedService>
{
    private static readonly string[] Methods = ["get", "post", "put", "delete", "patch"];

    [Fact]
    public async Task Document_IsReadableWithoutAToken()
    {
        using var anonymous = service.Factory.As(null);
        using var response = await anonymous.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["paths"]);
    }

    [Fact]
    public async Task EveryOperation_DeclaresAResponseSchema_And401And403WhereTheGateAnswers()
    {
        var document = await Document();
        var problems = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var method in Methods.Where(m => item![m] is not null))
            {
                var operation = item![method]!;
                var responses = operation["responses"]!.AsObject();
                var name = $"{method.ToUpperInvariant()} {path}";
                if (!responses.Any(r => r.Key.StartsWith('2') && r.Value?["content"]?.AsObject().Any(c => c.Value?["schema"] is not null) == true))
                {
                    problems.Add($"{name}: no success response with a schema");
                }

                foreach (var (status, response) in responses.Where(r => r.Key.StartsWith('2')))
                {
                    if (response?["content"]?["application/json"]?["schema"] is { } schema && IsBareObject(document, schema))
                    {
                        problems.Add($"{name}: the {status} response's schema is a bare object (no properties)");
                    }
                }

                if (path is "/health" or "/openapi/{documentName}.json")
                {
                    continue;
                }

                foreach (var status in new[] { "401", "403" })
                {
                    if (!responses.ContainsKey(status))
                    {
                        problems.Add($"{name}: no {status}");
                    }
                }

                if (method == "post" && operation["requestBody"] is { } body)
                {
                    foreach (var status in new[] { "400", "413", "415" })
                    {
                        if (!responses.ContainsKey(status))
                        {
                            problems.Add($"{name}: reads a body but lists no {status}");
                        }
                    }

                    if (body["content"]?["application/json"]?["schema"] is null)
                    {
                        problems.Add($"{name}: request body without a schema");
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        foreach (var post in new[] { "/api/queries", "/api/users", "/api/capture/start", "/api/packages" })
        {
            Assert.True(document["paths"]![post]!["post"]!["requestBody"] is not null, $"POST {post} declares no request body");
        }
    }

    [Theory]
    [InlineData("alice", "/api/cases", "/api/cases")]
    [InlineData("alice", "/api/cases/CASE-42", "/api/cases/{case}")]
    [InlineData("ada", "/api/config", "/api/config")]
    [InlineData("ada", "/api/capture", "/api/capture")]
    [InlineData("ivan", "/api/ledger/proof/1", "/api/ledger/proof/{seq}")]
    [InlineData("alice", "/api/queries/options", "/api/queries/options")]
    [InlineData("alice", "/api/queries/{alice}/summary", "/api/queries/{id}/summary")]
    public async Task RealResponses_OfTheCaseConfigurationCaptureAndProofEndpoints_MatchTheDocumentsSchemas(string user, string url, string template)
    {
        var document = await Document();
        using var client = service.As(user);
        url = url.Replace("{alice}", service.AliceQuery, StringComparison.Ordinal);
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        var schema = document["paths"]![template]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!;
        Assert.False(IsBareObject(document, schema), $"{template}: a bare object schema");
        var problems = new List<string>();
        Check(document, schema, body, "$", problems);
        Assert.True(problems.Count == 0, $"{url}:\n" + string.Join("\n", problems));
    }

    [Theory]
    [InlineData("nobody", "/health")]
    [InlineData("alice", "/api/queries")]
    [InlineData("alice", "/api/queries/{alice}")]
    [InlineData("alice", "/api/queries/{alice}/chunks")]
    [InlineData("alice", "/api/queries/{alice}/artifacts")]
    [InlineData("ivan", "/api/segments")]
    [InlineData("ivan", "/api/ledger")]
    [InlineData("ivan", "/api/ledger/checkpoints/latest")]
    [InlineData("ada", "/api/users")]
    public async Task RealResponses_MatchTheDocumentsSchemas(string user, string path)
    {
        var document = await Document();
        using var client = service.As(user);
        var url = path.Replace("{alice}", service.AliceQuery, StringComparison.Ordinal);
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());

        var template = path.Replace("{alice}", "{id}", StringComparison.Ordinal);
        var schema = document["paths"]![template]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!;
        var problems = new List<string>();
        Check(document, schema, body, "$", problems);
        Assert.True(problems.Count == 0, $"{path}:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void SchemaCheck_FindsAMissingRequiredProperty_AndAWrongType()
    {
        var document = JsonNode.Parse("""{"components":{"schemas":{"A":{"type":"object","required":["n","s"],"properties":{"n":{"type":"integer"},"s":{"type":"string"}}}}}}""")!;
        var schema = JsonNode.Parse("""{"$ref":"#/components/schemas/A"}""")!;
        var problems = new List<string>();

        Check(document, schema, JsonNode.Parse("""{"n":"80"}"""), "$", problems);

        Assert.Contains(problems, p => p.Contains("$.n", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("$.s", StringComparison.Ordinal));
    }

    private async Task<JsonNode> Document()
    {
        using var anonymous = service.Factory.As(null);
        using var response = await anonymous.GetAsync("/openapi/v1.json");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>An object schema that says nothing of its members: no properties, no additionalProperties.</summary>
    private static bool IsBareObject(JsonNode document, JsonNode schema)
    {
        while (schema["$ref"] is { } reference)
        {
            schema = document["components"]!["schemas"]![reference.GetValue<string>().Split('/')[^1]]!;
        }

        var type = schema["type"] switch
        {
            JsonArray list => list.Select(t => t!.GetValue<string>()).FirstOrDefault(t => t != "null"),
            JsonValue one => one.GetValue<string>(),
            _ => null,
        };
        return type is null or "object" && schema["properties"] is null && schema["additionalProperties"] is null
            && schema["allOf"] is null && schema["oneOf"] is null && schema["anyOf"] is null && schema["items"] is null;
    }

    /// <summary>Required properties present, and every value of the JSON type its schema names (recursively).</summary>
    private static void Check(JsonNode document, JsonNode schema, JsonNode? value, string at, List<string> problems)
    {
        while (schema["$ref"] is { } reference)
        {
            var name = reference.GetValue<string>().Split('/')[^1];
            schema = document["components"]!["schemas"]![name]!;
        }

        var types = schema["type"] switch
        {
            JsonArray list => list.Select(t => t!.GetValue<string>()).ToList(),
            JsonValue one => [one.GetValue<string>()],
            _ => [],
        };
        if (types.Count > 0)
        {
            var actual = Kind(value);
            var accepted = types.Contains(actual) || (actual == "integer" && types.Contains("number"));
            if (!accepted)
            {
                problems.Add($"{at}: {actual}, the document says {string.Join(" or ", types)}");
                return;
            }
        }

        if (value is JsonObject obj)
        {
            foreach (var required in schema["required"]?.AsArray() ?? [])
            {
                if (!obj.ContainsKey(required!.GetValue<string>()))
                {
                    problems.Add($"{at}.{required.GetValue<string>()}: required by the document, missing from the response");
                }
            }

            foreach (var (name, property) in schema["properties"]?.AsObject() ?? [])
            {
                if (obj.TryGetPropertyValue(name, out var member))
                {
                    Check(document, property!, member, $"{at}.{name}", problems);
                }
            }
        }
        else if (value is JsonArray array && schema["items"] is { } items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Check(document, items, array[i], $"{at}[{i}]", problems);
            }
        }
    }

    private static string Kind(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => v.ToJsonString().Contains('.', StringComparison.Ordinal) || v.ToJsonString().Contains('e', StringComparison.OrdinalIgnoreCase) ? "number" : "integer",
            _ => "null",
        },
        _ => "unknown",
    };
}
