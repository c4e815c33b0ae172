using System.Net;
using System.Text.Json.Nodes;

namespace Vanus.Node.Tests;

/// <summary>A node that cannot join its cluster is never ready: it answers 503 with a problem document and stores nothing.</summary>
public sealed class NotReadyTests : NodeDataTests
{
    [Fact]
    public async Task Until_ready_ingest_and_management_answer_503_while_liveness_answers_200()
    {
        // The only seed is a port nobody listens on, so the node never becomes a cluster member and never ready.
        await using var node = await NodeProcess.StartAsync(Data, waitUntilReady: false, "--seeds", "akka.tcp://vanus@127.0.0.1:1");
        using var http = node.Client();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("readyz")).StatusCode);

        using var ingest = await http.SendAsync(Api.Binary("gateway/orders", "early"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ingest.StatusCode);
        Assert.Equal("application/problem+json", ingest.Content.Headers.ContentType!.MediaType);
        Assert.Equal(503, (int)JsonNode.Parse(await ingest.Content.ReadAsStringAsync())!["status"]!);
        Assert.NotNull(ingest.Headers.RetryAfter);

        using var create = await http.PostAsync(Api.Buses, new StringContent("""{"name":"orders"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, create.StatusCode);
        Assert.DoesNotContain("vanus node ready", node.Output);
    }
}
