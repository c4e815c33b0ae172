using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Vanus.Runtime.Events;

namespace Vanus.Client.Tests;

/// <summary>A client given several endpoints moves past one that is gone or answers 503 (issue 14, part 5).</summary>
public sealed class FailoverTests : FakeNodeTests
{
    protected override void Arrange(FakeNode node) => node.AddEventbus("orders");

    [Fact]
    public async Task A_call_moves_past_a_dead_endpoint_and_a_503_after_its_retry_after_and_stays_where_it_was_answered()
    {
        var refusals = 0;
        var ingests = 0;
        Node.Override = async ctx =>
        {
            if (!ctx.Request.Path.Value!.Contains("/eventbus/", StringComparison.Ordinal) || Interlocked.Increment(ref ingests) > 1)
            {
                return false;
            }

            Interlocked.Increment(ref refusals);

            ctx.Response.Headers.RetryAfter = "2";
            await FakeNode.ProblemOfKindAsync(ctx, 503, "unavailable", "eventlog 0 has no leader yet; retry shortly");
            return true;
        };
        var dead = DeadEndpoint();
        using var client = new VanusClient([dead, Node.Endpoint], timeProvider: Node.Clock);

        // Dead first: refused at once; then the node's 503, which asks for 2 s; then the dead one again, the node again.
        var publish = client.Events.PublishAsync("orders", new Event("e-1", "/s", "t"));
        await Node.WaitUntilAsync(() => Volatile.Read(ref refusals) == 1, "the node refused once");
        Node.Clock.Advance(TimeSpan.FromSeconds(1.9));
        await Task.Delay(50);
        Assert.False(publish.IsCompleted);
        var placement = await AdvanceUntilAsync(publish);

        Assert.Equal("e-1", placement.Id);
        Assert.Equal(Node.Endpoint.ToString().TrimEnd('/'), client.Endpoint.ToString().TrimEnd('/'));
        Assert.Equal(["e-1"], Node.Stored("orders").Select(e => e.Id));

        // The next call goes straight to the endpoint that answered.
        await client.Events.PublishAsync("orders", new Event("e-2", "/s", "t"));
        Assert.Equal(3, Volatile.Read(ref ingests));
    }

    [Fact]
    public async Task A_503_that_lists_stored_events_is_not_sent_again()
    {
        var ingests = 0;
        Node.Override = async ctx =>
        {
            if (!ctx.Request.Path.Value!.Contains("/eventbus/", StringComparison.Ordinal))
            {
                return false;
            }

            Interlocked.Increment(ref ingests);
            ctx.Response.StatusCode = 503;
            ctx.Response.ContentType = "application/problem+json";
            await ctx.Response.WriteAsync("""{"type":"urn:vanus:problem:unavailable","title":"Unavailable","status":503,"detail":"the disk is full","stored":[{"id":"e-1","eventId":"0000000000000000","eventlog":0,"offset":0}]}""");
            return true;
        };
        using var client = new VanusClient([Node.Endpoint, DeadEndpoint()], timeProvider: Node.Clock);

        var e = await Assert.ThrowsAsync<VanusApiException>(() => client.Events.PublishAsync("orders", [new Event("e-1", "/s", "t"), new Event("e-2", "/s", "t")]));

        Assert.Equal(503, e.Status);
        Assert.Equal(1, Volatile.Read(ref ingests));
    }

    [Fact]
    public async Task With_every_endpoint_gone_the_call_fails_at_once()
    {
        using var client = new VanusClient([DeadEndpoint(), DeadEndpoint()], timeProvider: Node.Clock);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.Eventbuses.GetAsync("orders"));
    }

    [Fact]
    public async Task A_503_everywhere_is_the_answer_once_the_patience_is_spent()
    {
        var calls = 0;
        Node.Override = async ctx =>
        {
            Interlocked.Increment(ref calls);
            await FakeNode.ProblemOfKindAsync(ctx, 503, "unavailable", "no quorum");
            return true;
        };
        using var client = new VanusClient([Node.Endpoint, DeadEndpoint()], timeProvider: Node.Clock, failoverPatience: TimeSpan.FromSeconds(1));

        var get = client.Eventbuses.GetAsync("orders");
        var e = await Assert.ThrowsAsync<VanusApiException>(() => AdvanceUntilAsync(get));

        Assert.Equal(503, e.Status);
    }

    [Fact]
    public async Task One_endpoint_keeps_a_503_as_the_answer()
    {
        var calls = 0;
        Node.Override = async ctx =>
        {
            Interlocked.Increment(ref calls);
            await FakeNode.ProblemOfKindAsync(ctx, 503, "unavailable", "not ready");
            return true;
        };
        using var client = new VanusClient(Node.Endpoint, timeProvider: Node.Clock);

        var e = await Assert.ThrowsAsync<VanusApiException>(() => client.Eventbuses.GetAsync("orders"));

        Assert.Equal(503, e.Status);
        Assert.Equal(1, Volatile.Read(ref calls));
    }

    /// <summary>Moves the node's clock on in small steps until <paramref name="call"/> is done: the client's pauses run on it.</summary>
    private async Task<T> AdvanceUntilAsync<T>(Task<T> call)
    {
        for (var step = 0; !call.IsCompleted && step < 3000; step++)
        {
            Node.Clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(call, Task.Delay(10));
        }

        return await call;
    }

    /// <summary>A loopback port nothing listens on: connections to it are refused at once.</summary>
    private static Uri DeadEndpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
    }
}
