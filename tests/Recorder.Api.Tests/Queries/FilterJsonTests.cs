using System.Net;
using System.Text.Json.Nodes;
using Recorder.Api.Tests.Support;

namespace Recorder.Api.Tests.Queries;

/// <summary>One name per concept, numbers as numbers, old names still read and written.</summary>
public sealed class FilterJsonTests(SharedService service) : IClassFixture<SharedService>
{
    [Fact]
    public async Task QueryRecord_EchoesPortsAsNumbers_BesideTheSubmittedText()
    {
        using var alice = service.As("alice");
        var record = await alice.GetJsonAsync("/api/queries/" + service.AliceQuery);

        var filter = record["filter"]!.AsObject();
        var port = service.Store.Needle.ServerPort;
        Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), filter["ports"]![0]!.GetValue<string>());
        Assert.Equal(System.Text.Json.JsonValueKind.Number, filter["portNumbers"]![0]!.GetValueKind());
        Assert.Equal(port, filter["portNumbers"]![0]!.GetValue<int>());
        Assert.Equal(port, record["normalizedFilter"]!["ports"]![0]!.GetValue<int>());
    }

    [Fact]
    public async Task Submission_AcceptsProtocols_AndEchoesBothNames()
    {
        using var alice = service.As("alice");
        var body = ApiClient.Query(service.Store.Needle.Server, service.Store.Needle.ServerPort, service.Store.Window);
        body["filter"]!["protocols"] = new JsonArray("tcp");

        var id = await alice.SubmitAsync(body);
        var record = await alice.GetJsonAsync("/api/queries/" + id);

        Assert.Equal("tcp", record["filter"]!["protocols"]![0]!.GetValue<string>());
        Assert.Equal("tcp", record["filter"]!["proto"]![0]!.GetValue<string>());
        Assert.Equal("tcp", record["normalizedFilter"]!["protocols"]![0]!.GetValue<string>());
        await alice.WaitSettledAsync(id);
    }

    [Fact]
    public async Task Submission_WithProtoAndProtocols_IsRefusedNamingThem()
    {
        using var alice = service.As("alice");
        var body = ApiClient.Query(service.Store.Needle.Server, service.Store.Needle.ServerPort, service.Store.Window);
        body["filter"]!["protocols"] = new JsonArray("tcp");
        body["filter"]!["proto"] = "udp";

        using var response = await alice.PostJsonAsync("/api/queries", body.ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("filter.proto", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
