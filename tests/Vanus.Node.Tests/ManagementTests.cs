using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Vanus.Node.Tests;

/// <summary>Eventbus create, list, get and delete through the management API of the real executable.</summary>
public sealed class ManagementTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task Eventbus_create_list_get_delete_and_their_refusals()
    {
        using (var created = await Http.PostAsJsonAsync(Api.Buses, new { name = "orders", eventlogs = 3, sync = "always", retention = new { age = "7d", bytes = "10GB" } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var again = await Http.PostAsJsonAsync(Api.Buses, new { name = "orders" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal("application/problem+json", again.Content.Headers.ContentType!.MediaType);
        }

        using (var bad = await Http.PostAsJsonAsync(Api.Buses, new { name = "bad-sync", sync = "sometimes" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("sync", await bad.Content.ReadAsStringAsync());
        }

        using (var bad = await Http.PostAsJsonAsync(Api.Buses, new { name = "too-many", eventlogs = 65 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("eventlogs", await bad.Content.ReadAsStringAsync());
        }

        using (var bad = await Http.PostAsJsonAsync(Api.Buses, new { name = "replicated", replicas = 3 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("replicas", await bad.Content.ReadAsStringAsync());
        }

        // "none" means acknowledged once a majority has it written: with one copy nothing would ever sync it.
        using (var bad = await Http.PostAsJsonAsync(Api.Buses, new { name = "unsynced", sync = "none" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var problem = await bad.Content.ReadAsStringAsync();
            Assert.Equal("sync", (string?)System.Text.Json.Nodes.JsonNode.Parse(problem)!["field"]);
            Assert.Contains("relies on replicas", problem);
        }

        var info = await Api.GetJsonAsync(Http, $"{Api.Buses}/orders");
        Assert.Equal("orders", (string)info["name"]!);
        Assert.Equal("always", (string)info["sync"]!);
        Assert.Equal([0, 1, 2], info["eventlogs"]!.AsArray().Select(e => (int)e!["id"]!));
        Assert.All(info["eventlogs"]!.AsArray(), e => Assert.Equal(0, (long)e!["next"]!));

        var list = (await Api.GetJsonAsync(Http, Api.Buses)).AsArray();
        Assert.Contains(list, b => (string)b!["name"]! == "orders");

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync($"{Api.Buses}/orders")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"{Api.Buses}/orders")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.DeleteAsync($"{Api.Buses}/orders")).StatusCode);
    }

    [Fact]
    public async Task A_deleted_and_recreated_bus_starts_empty()
    {
        await Api.CreateBusAsync(Http, "recycled");
        using (var r = await Http.SendAsync(Api.Binary("gateway/recycled", "old")))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync($"{Api.Buses}/recycled")).StatusCode);
        await Api.CreateBusAsync(Http, "recycled");
        Assert.Equal(new long[] { 0 }, await Api.NextOffsetsAsync(Http, "recycled"));
        Assert.Empty(await Api.ReadAllAsync(Http, "recycled"));
    }

    [Fact]
    public async Task Reads_refuse_bad_parameters_and_unknown_ids()
    {
        var bus = await fixture.NewBusAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync($"{Api.Buses}/{bus}/events?eventlog=0&offset=-1")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync($"{Api.Buses}/{bus}/events/not-an-id")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"{Api.Buses}/{bus}/events/0000000000000063")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync($"{Api.Buses}/{bus}/offsets?time=yesterday")).StatusCode);
        var empty = (JsonArray)(await Api.GetJsonAsync(Http, $"{Api.Buses}/{bus}/events?eventlog=0&offset=0"))!;
        Assert.Empty(empty);
    }
}
