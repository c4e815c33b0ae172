using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Vanus.Node.Tests;

/// <summary>One running node shared by a test class, each test on its own eventbuses.</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    private int _buses;

    public string DataDirectory { get; } = NodeDataTests.NewFolder();

    public NodeProcess Node { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Node = await NodeProcess.StartAsync(DataDirectory);
        Http = Node.Client();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Node.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }

    /// <summary>Creates a fresh eventbus and returns its name.</summary>
    public async Task<string> NewBusAsync(int eventlogs = 1, string sync = "interval")
    {
        var name = $"bus{Interlocked.Increment(ref _buses)}";
        await Api.CreateBusAsync(Http, name, eventlogs, sync);
        return name;
    }
}

/// <summary>Small helpers over the HTTP contract (DESIGN §6).</summary>
public static class Api
{
    public const string Buses = "api/v1/namespaces/default/eventbuses";

    public static async Task CreateBusAsync(HttpClient http, string name, int eventlogs = 1, string sync = "interval")
    {
        using var response = await http.PostAsJsonAsync(Buses, new { name, eventlogs, sync });
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"create {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public static async Task<JsonNode> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>The <c>next</c> offset of every eventlog of a bus.</summary>
    public static async Task<long[]> NextOffsetsAsync(HttpClient http, string bus)
    {
        var info = await GetJsonAsync(http, $"{Buses}/{bus}");
        return [.. info["eventlogs"]!.AsArray().Select(e => (long)e!["next"]!)];
    }

    /// <summary>Every event of one eventlog, read in pages.</summary>
    public static async Task<List<JsonNode>> ReadAllAsync(HttpClient http, string bus, int eventlog = 0, string @namespace = "default")
    {
        var all = new List<JsonNode>();
        while (true)
        {
            var page = (await GetJsonAsync(http, $"api/v1/namespaces/{@namespace}/eventbuses/{bus}/events?eventlog={eventlog}&offset={all.Count}&count=1000")).AsArray();
            if (page.Count == 0)
            {
                return all;
            }

            all.AddRange(page.Select(e => e!));
        }
    }

    /// <summary>A binary-mode CloudEvent request.</summary>
    public static HttpRequestMessage Binary(string path, string id, string data = "payload", string? partitionKey = null, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(data)) };
        request.Content.Headers.ContentType = new("text/plain");
        request.Headers.Add("ce-specversion", "1.0");
        request.Headers.Add("ce-id", id);
        request.Headers.Add("ce-source", "/tests");
        request.Headers.Add("ce-type", "test.event");
        if (partitionKey is not null)
        {
            request.Headers.Add("ce-partitionkey", partitionKey);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    /// <summary>A structured-mode or batch request from JSON text.</summary>
    public static HttpRequestMessage Json(string path, string json, string contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = new(contentType) { CharSet = "utf-8" };
        return request;
    }

    public static string Event(string id, string data = "x", string? extra = null) =>
        $$"""{"specversion":"1.0","id":"{{id}}","source":"/tests","type":"test.event","datacontenttype":"text/plain","data":"{{data}}"{{extra}}}""";
}
