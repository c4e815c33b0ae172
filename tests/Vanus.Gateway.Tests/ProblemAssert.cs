using System.Net;
using System.Text.Json;

namespace Vanus.Gateway.Tests;

/// <summary>Checks that an answer is an RFC 9457 problem document of the expected kind and status.</summary>
internal static class ProblemAssert
{
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status, string kind, string instance)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var doc = await GatewayHost.ReadJsonAsync(response);
        Assert.Equal("urn:vanus:problem:" + kind, doc.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(doc.GetProperty("title").GetString()));
        Assert.Equal((int)status, doc.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(doc.GetProperty("detail").GetString()));
        Assert.Equal(instance, doc.GetProperty("instance").GetString());
        if ((int)status is 429 or 503)
        {
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 and 503 carry Retry-After");
        }

        return doc;
    }

    /// <summary>A problem about one field: its <c>field</c> member names it (absent when <paramref name="field"/> is null), and its <c>reason</c> says <paramref name="reason"/> when one is given.</summary>
    public static async Task<JsonElement> IsFieldProblemAsync(HttpResponseMessage response, HttpStatusCode status, string kind, string instance, string? field, string? reason = null)
    {
        var doc = await IsProblemAsync(response, status, kind, instance);
        Assert.Equal(field, Text(doc, "field"));
        if (reason is not null)
        {
            Assert.Contains(reason, Text(doc, "reason"));
        }

        return doc;
    }

    public static string? Text(JsonElement doc, string name) =>
        doc.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
