using System.Net;
using System.Text;
using Vanus.Runtime.Broker;

namespace Vanus.Gateway.Tests;

public sealed class IngestTests
{
    public static TheoryData<string, string> Paths => new()
    {
        { "/gateway/orders", "default" },
        { "/namespaces/default/eventbus/orders/events", "default" },
        { "/namespaces/team/eventbus/orders/events", "team" },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Binary_mode_event_is_stored_and_answered_with_its_placement(string path, string ns)
    {
        await using var host = await StartAsync(ns);
        using var response = await host.Client.PostAsync(path, GatewayHost.Binary("e-1", "hello", ("ce-subject", "order%2042"), ("ce-partitionkey", "k1")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = (await GatewayHost.ReadJsonAsync(response)).GetProperty("events");
        var answer = Assert.Single(events.EnumerateArray());
        Assert.Equal("e-1", answer.GetProperty("id").GetString());
        Assert.Equal(0, answer.GetProperty("eventlog").GetInt32());
        Assert.Equal(0, answer.GetProperty("offset").GetInt64());
        Assert.Equal(new EventId(0, 0).ToString(), answer.GetProperty("eventId").GetString());

        var (stored, _) = Assert.Single(host.Broker.Stored(ns, "orders", 0));
        Assert.Equal("e-1", stored.Id);
        Assert.Equal("/tests", stored.Source);
        Assert.Equal("test.created", stored.Type);
        Assert.Equal("order 42", stored.Subject);
        Assert.Equal("text/plain", stored.DataContentType);
        Assert.Equal("hello", stored.DataText);
        Assert.True(stored.Extensions.TryGet("partitionkey", out var key));
        Assert.Equal("k1", key.ToString());
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Structured_mode_event_is_stored(string path, string ns)
    {
        await using var host = await StartAsync(ns);
        using var response = await host.Client.PostAsync(path, GatewayHost.Structured(GatewayHost.EventJson("s-1", ""","subject":"x","count":3""")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = Assert.Single((await GatewayHost.ReadJsonAsync(response)).GetProperty("events").EnumerateArray());
        Assert.Equal("s-1", answer.GetProperty("id").GetString());
        var (stored, _) = Assert.Single(host.Broker.Stored(ns, "orders", 0));
        Assert.Equal("""{"n":1}""", stored.DataText);
        Assert.Equal("application/json", stored.DataContentType);
        Assert.True(stored.Extensions.TryGet("count", out var count));
        Assert.Equal(3, count.AsInteger);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Batch_mode_stores_every_event_in_order_and_lists_each(string path, string ns)
    {
        await using var host = await StartAsync(ns, eventlogs: 2);
        var batch = $"[{GatewayHost.EventJson("b-0")},{GatewayHost.EventJson("b-1")},{GatewayHost.EventJson("b-2")}]";
        using var response = await host.Client.PostAsync(path, GatewayHost.Batch(batch));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answers = (await GatewayHost.ReadJsonAsync(response)).GetProperty("events").EnumerateArray().ToArray();
        Assert.Equal(["b-0", "b-1", "b-2"], answers.Select(a => a.GetProperty("id").GetString()));

        // Round-robin over two eventlogs: 0, 1, 0; each answer's eventId names its own eventlog and offset.
        Assert.Equal([0, 1, 0], answers.Select(a => a.GetProperty("eventlog").GetInt32()));
        Assert.Equal([0L, 0L, 1L], answers.Select(a => a.GetProperty("offset").GetInt64()));
        foreach (var a in answers)
        {
            Assert.Equal(new EventId(a.GetProperty("eventlog").GetInt32(), a.GetProperty("offset").GetInt64()).ToString(), a.GetProperty("eventId").GetString());
        }

        Assert.Equal(["b-0", "b-2"], host.Broker.Stored(ns, "orders", 0).Select(s => s.Event.Id));
        Assert.Equal(["b-1"], host.Broker.Stored(ns, "orders", 1).Select(s => s.Event.Id));
    }

    [Fact]
    public async Task Chunked_body_without_content_length_is_read_whole()
    {
        await using var host = await StartAsync("default");
        var data = new string('x', 200_000);
        var json = $$"""{"specversion":"1.0","id":"c-1","source":"/tests","type":"t","datacontenttype":"text/plain","data":"{{data}}"}""";
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new("application/cloudevents+json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/gateway/orders") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(data, Assert.Single(host.Broker.Stored("default", "orders", 0)).Event.DataText);
    }

    [Fact]
    public async Task Binary_event_without_required_attribute_is_400_naming_it_and_nothing_is_stored()
    {
        await using var host = await StartAsync("default");
        var content = new ByteArrayContent("x"u8.ToArray());
        content.Headers.TryAddWithoutValidation("ce-specversion", "1.0");
        content.Headers.TryAddWithoutValidation("ce-source", "/tests");
        content.Headers.TryAddWithoutValidation("ce-type", "t");
        using var response = await host.Client.PostAsync("/gateway/orders", content);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid-event", "/gateway/orders");
        Assert.Equal("id", ProblemAssert.Text(problem, "attribute"));
        Assert.Equal("is required", ProblemAssert.Text(problem, "rule"));
        Assert.False(problem.TryGetProperty("eventIndex", out _));
        Assert.Equal(0, host.Broker.TotalStored);
        Assert.Equal(0, host.Broker.AppendCalls);
    }

    [Fact]
    public async Task Batch_with_one_bad_event_is_refused_whole_naming_its_index_attribute_and_rule()
    {
        await using var host = await StartAsync("default");
        var bad = """{"specversion":"1.0","id":"b-2","source":"/tests","type":"t","time":"yesterday"}""";
        var batch = $"[{GatewayHost.EventJson("b-0")},{GatewayHost.EventJson("b-1")},{bad}]";
        using var response = await host.Client.PostAsync("/namespaces/default/eventbus/orders/events", GatewayHost.Batch(batch));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid-event", "/namespaces/default/eventbus/orders/events");
        Assert.Equal(2, problem.GetProperty("eventIndex").GetInt32());
        Assert.Equal("time", ProblemAssert.Text(problem, "attribute"));
        Assert.StartsWith("must be an RFC 3339 timestamp", ProblemAssert.Text(problem, "rule"));
        Assert.Contains("event [2]", ProblemAssert.Text(problem, "detail"));
        Assert.Equal(0, host.Broker.TotalStored);
    }

    [Theory]
    [InlineData("application/cloudevents-batch+json", "[]")]
    [InlineData("application/cloudevents-batch+json", "[{\"specversion\":\"1.0\"")]
    [InlineData("application/cloudevents-batch+json", "{\"not\":\"an array\"}")]
    [InlineData("application/cloudevents+json", "not json")]
    [InlineData("application/cloudevents+json", "")]
    public async Task Malformed_structured_or_batch_body_is_400(string contentType, string body)
    {
        await using var host = await StartAsync("default");
        var content = new StringContent(body);
        content.Headers.ContentType = new(contentType);
        using var response = await host.Client.PostAsync("/gateway/orders", content);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid-event", "/gateway/orders");
        Assert.Equal(0, host.Broker.TotalStored);
    }

    [Fact]
    public async Task User_attribute_with_reserved_prefix_is_400_in_binary_mode()
    {
        await using var host = await StartAsync("default");
        using var response = await host.Client.PostAsync("/gateway/orders", GatewayHost.Binary("r-1", "x", ("ce-xvanusoffset", "7")));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "reserved-attribute", "/gateway/orders");
        Assert.Equal("xvanusoffset", ProblemAssert.Text(problem, "attribute"));
        Assert.Contains("reserved", ProblemAssert.Text(problem, "rule"));
        Assert.Equal(0, host.Broker.TotalStored);
    }

    [Fact]
    public async Task Reserved_attribute_in_a_batch_refuses_the_batch_naming_the_event()
    {
        await using var host = await StartAsync("default");
        var batch = $$"""[{{GatewayHost.EventJson("ok")}},{{GatewayHost.EventJson("bad", ""","xvanusstime":"2026-01-01T00:00:00Z" """)}}]""";
        using var response = await host.Client.PostAsync("/gateway/orders", GatewayHost.Batch(batch));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "reserved-attribute", "/gateway/orders");
        Assert.Equal(1, problem.GetProperty("eventIndex").GetInt32());
        Assert.Equal("xvanusstime", ProblemAssert.Text(problem, "attribute"));
        Assert.Equal(0, host.Broker.TotalStored);
    }

    [Theory]
    [InlineData("2026-11-28T12:00:00.123Z", "2026-11-28T12:00:00.123Z")]
    [InlineData("2026-11-28T13:00:00.123+01:00", "2026-11-28T12:00:00.123Z")]
    [InlineData("2026-11-27T16:00:00.000001Z", "2026-11-27T16:00:00.000001Z")]
    public async Task Binary_event_with_a_future_delivery_time_is_held_and_answered_with_it(string header, string answered)
    {
        await using var host = await StartAsync("default");
        using var response = await host.Client.PostAsync("/gateway/orders", GatewayHost.Binary("d-1", "x", ("ce-xvanusdeliverytime", header)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = Assert.Single((await GatewayHost.ReadJsonAsync(response)).GetProperty("events").EnumerateArray());
        // A held event has no eventId yet: it gets one when its timer appends it to the bus.
        Assert.Equal(["id", "deliverytime"], answer.EnumerateObject().Select(p => p.Name));
        Assert.Equal("d-1", answer.GetProperty("id").GetString());
        Assert.Equal(answered, answer.GetProperty("deliverytime").GetString());

        var held = Assert.Single(host.Broker.Held);
        Assert.Equal(("default", "orders", "d-1"), (held.Ns, held.Bus, held.Event.Id));
        Assert.Equal(DateTimeOffset.Parse(answered, System.Globalization.CultureInfo.InvariantCulture), held.Due);
        Assert.Empty(host.Broker.Stored("default", "orders", 0));
    }

    [Fact]
    public async Task Batch_mixing_held_and_immediate_events_answers_each_in_request_order()
    {
        await using var host = await StartAsync("default");
        var batch = $$"""
            [{{GatewayHost.EventJson("now-1")}},
             {{GatewayHost.EventJson("later", ""","xvanusdeliverytime":"2026-11-27T16:00:30Z" """)}},
             {{GatewayHost.EventJson("past", ""","xvanusdeliverytime":"2026-11-27T15:59:59.5Z" """)}},
             {{GatewayHost.EventJson("now-2")}}]
            """;
        using var response = await host.Client.PostAsync("/gateway/orders", GatewayHost.Batch(batch));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answers = (await GatewayHost.ReadJsonAsync(response)).GetProperty("events").EnumerateArray().ToArray();
        Assert.Equal(["now-1", "later", "past", "now-2"], answers.Select(a => a.GetProperty("id").GetString()));
        Assert.Equal([0L, 1L, 2L], new[] { answers[0], answers[2], answers[3] }.Select(a => a.GetProperty("offset").GetInt64()));
        Assert.All(new[] { answers[0], answers[2], answers[3] }, a => Assert.False(a.TryGetProperty("deliverytime", out _)));
        Assert.Equal("2026-11-27T16:00:30Z", answers[1].GetProperty("deliverytime").GetString());
        Assert.False(answers[1].TryGetProperty("eventlog", out _));
        Assert.False(answers[1].TryGetProperty("offset", out _));

        Assert.Equal(["now-1", "past", "now-2"], host.Broker.Stored("default", "orders", 0).Select(s => s.Event.Id));
        Assert.Equal("later", Assert.Single(host.Broker.Held).Event.Id);
    }

    [Fact]
    public async Task Delivery_time_in_the_past_is_accepted_and_the_event_stored_at_once_with_its_attribute()
    {
        await using var host = await StartAsync("default");
        using var response = await host.Client.PostAsync("/gateway/orders", GatewayHost.Binary("p-1", "x", ("ce-xvanusdeliverytime", "2020-01-01T00:00:00Z")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = Assert.Single((await GatewayHost.ReadJsonAsync(response)).GetProperty("events").EnumerateArray());
        Assert.Equal(0, answer.GetProperty("offset").GetInt64());
        Assert.False(answer.TryGetProperty("deliverytime", out _));
        var (stored, _) = Assert.Single(host.Broker.Stored("default", "orders", 0));
        Assert.True(stored.Extensions.TryGet("xvanusdeliverytime", out var value));
        Assert.Equal("2020-01-01T00:00:00Z", value.ToString());
        Assert.Empty(host.Broker.Held);
    }

    [Theory]
    [InlineData("tomorrow")]
    [InlineData("2026-11-28")]
    [InlineData("2026-11-28T12:00:00")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("1764331200")]
    public async Task Binary_event_with_a_delivery_time_that_is_not_rfc3339_is_400_naming_the_attribute(string header)
    {
        await using var host = await StartAsync("default");
        using var response = await host.Client.PostAsync("/gateway/orders", GatewayHost.Binary("b-1", "x", ("ce-xvanusdeliverytime", header)));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid-event", "/gateway/orders");
        Assert.Equal("xvanusdeliverytime", ProblemAssert.Text(problem, "attribute"));
        Assert.Equal("must be an RFC 3339 timestamp", ProblemAssert.Text(problem, "rule"));
        Assert.Contains($"not '{header}'", ProblemAssert.Text(problem, "detail"));
        Assert.False(problem.TryGetProperty("eventIndex", out _));
        Assert.Equal(0, host.Broker.TotalStored);
    }

    [Theory]
    [InlineData("\"next week\"", "next week")]
    [InlineData("42", "42")]
    public async Task Structured_event_with_a_bad_delivery_time_is_400(string json, string shown)
    {
        await using var host = await StartAsync("default");
        using var response = await host.Client.PostAsync("/gateway/orders", GatewayHost.Structured(GatewayHost.EventJson("s-1", $",\"xvanusdeliverytime\":{json}")));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid-event", "/gateway/orders");
        Assert.Equal("xvanusdeliverytime", ProblemAssert.Text(problem, "attribute"));
        Assert.Contains($"not '{shown}'", ProblemAssert.Text(problem, "detail"));
        Assert.Equal(0, host.Broker.TotalStored);
    }

    [Fact]
    public async Task Bad_delivery_time_in_a_batch_refuses_the_whole_batch_naming_the_event()
    {
        await using var host = await StartAsync("default");
        var batch = $$"""
            [{{GatewayHost.EventJson("held", ""","xvanusdeliverytime":"2026-11-28T00:00:00Z" """)}},
             {{GatewayHost.EventJson("now")}},
             {{GatewayHost.EventJson("bad", ""","xvanusdeliverytime":"2026-11-28 noon" """)}}]
            """;
        using var response = await host.Client.PostAsync("/gateway/orders", GatewayHost.Batch(batch));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid-event", "/gateway/orders");
        Assert.Equal(2, problem.GetProperty("eventIndex").GetInt32());
        Assert.Equal("xvanusdeliverytime", ProblemAssert.Text(problem, "attribute"));
        Assert.StartsWith("The event [2] is invalid:", ProblemAssert.Text(problem, "detail"));
        Assert.Equal(0, host.Broker.AppendCalls);
        Assert.Equal(0, host.Broker.TotalStored);
    }

    [Fact]
    public async Task Other_reserved_attributes_stay_refused_beside_a_valid_delivery_time()
    {
        await using var host = await StartAsync("default");
        using var response = await host.Client.PostAsync(
            "/gateway/orders",
            GatewayHost.Binary("r-2", "x", ("ce-xvanusdeliverytime", "2026-11-28T00:00:00Z"), ("ce-xvanusdelay", "5s")));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "reserved-attribute", "/gateway/orders");
        Assert.Equal("xvanusdelay", ProblemAssert.Text(problem, "attribute"));
        Assert.Equal(0, host.Broker.TotalStored);
    }

    [Fact]
    public async Task Failure_after_validation_lists_held_events_with_their_delivery_time()
    {
        await using var host = await StartAsync("default");
        host.Broker.FailNextAppendAfter = 2;
        var batch = $$"""[{{GatewayHost.EventJson("f-0")}},{{GatewayHost.EventJson("f-1", ""","xvanusdeliverytime":"2026-11-28T00:00:00Z" """)}},{{GatewayHost.EventJson("f-2")}}]""";
        using var response = await host.Client.PostAsync("/gateway/orders", GatewayHost.Batch(batch));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable, "unavailable", "/gateway/orders");
        var stored = problem.GetProperty("stored").EnumerateArray().ToArray();
        Assert.Equal(["f-0", "f-1"], stored.Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(0, stored[0].GetProperty("offset").GetInt64());
        Assert.Equal("2026-11-28T00:00:00Z", stored[1].GetProperty("deliverytime").GetString());
    }

    [Theory]
    [InlineData("/gateway/nosuchbus")]
    [InlineData("/namespaces/default/eventbus/nosuchbus/events")]
    [InlineData("/namespaces/nosuchns/eventbus/orders/events")]
    public async Task Unknown_eventbus_or_namespace_is_404(string path)
    {
        await using var host = await StartAsync("default");
        using var response = await host.Client.PostAsync(path, GatewayHost.Binary("u-1"));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "not-found", path);
        Assert.Contains("no", ProblemAssert.Text(problem, "detail"));
        Assert.Equal(0, host.Broker.TotalStored);
    }

    [Fact]
    public async Task Binary_event_over_the_event_limit_is_413_before_its_body_is_read()
    {
        await using var host = await StartAsync("default", options: new GatewayOptions { MaxEventBytes = 1000, MaxRequestBytes = 4000, MaxBufferedBytes = 8000 });
        using var response = await host.Client.PostAsync("/gateway/orders", GatewayHost.Binary("big", new string('x', 1001)));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "event-too-large", "/gateway/orders");
        Assert.Equal(1000, problem.GetProperty("limit").GetInt64());
        Assert.Equal(0, host.Broker.TotalStored);
    }

    [Fact]
    public async Task Event_in_a_batch_over_the_event_limit_is_413_naming_its_index()
    {
        await using var host = await StartAsync("default", options: new GatewayOptions { MaxEventBytes = 1000, MaxRequestBytes = 4000, MaxBufferedBytes = 8000 });
        var big = $$"""{"specversion":"1.0","id":"big","source":"/tests","type":"t","datacontenttype":"text/plain","data":"{{new string('x', 1200)}}"}""";
        using var response = await host.Client.PostAsync("/gateway/orders", GatewayHost.Batch($"[{GatewayHost.EventJson("small")},{big}]"));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "event-too-large", "/gateway/orders");
        Assert.Equal(1, problem.GetProperty("eventIndex").GetInt32());
        Assert.Equal(1000, problem.GetProperty("limit").GetInt64());
        Assert.Equal(0, host.Broker.TotalStored);
    }

    [Fact]
    public async Task Request_over_the_request_limit_is_413_from_its_content_length()
    {
        await using var host = await StartAsync("default", options: new GatewayOptions { MaxEventBytes = 1000, MaxRequestBytes = 4000, MaxBufferedBytes = 8000 });
        var batch = "[" + string.Join(',', Enumerable.Range(0, 40).Select(i => GatewayHost.EventJson($"e-{i}"))) + "]";
        Assert.True(Encoding.UTF8.GetByteCount(batch) > 4000);
        using var response = await host.Client.PostAsync("/gateway/orders", GatewayHost.Batch(batch));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "request-too-large", "/gateway/orders");
        Assert.Equal(4000, problem.GetProperty("limit").GetInt64());
        Assert.Equal(0, host.Broker.TotalStored);
    }

    [Fact]
    public async Task Chunked_request_over_the_request_limit_is_413_once_it_passes_the_limit()
    {
        await using var host = await StartAsync("default", options: new GatewayOptions { MaxEventBytes = 1000, MaxRequestBytes = 4000, MaxBufferedBytes = 8000 });
        var batch = "[" + string.Join(',', Enumerable.Range(0, 100).Select(i => GatewayHost.EventJson($"e-{i}"))) + "]";
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(batch)));
        content.Headers.ContentType = new("application/cloudevents-batch+json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/gateway/orders") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await host.Client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "request-too-large", "/gateway/orders");
        Assert.Equal(0, host.Broker.TotalStored);
    }

    [Fact]
    public async Task Unsupported_event_format_is_415()
    {
        await using var host = await StartAsync("default");
        var content = new StringContent("<event/>");
        content.Headers.ContentType = new("application/cloudevents+xml");
        using var response = await host.Client.PostAsync("/gateway/orders", content);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type", "/gateway/orders");
        Assert.Contains("application/cloudevents+xml", ProblemAssert.Text(problem, "detail"));
        Assert.Equal(0, host.Broker.TotalStored);
    }

    [Fact]
    public async Task Broker_overloaded_is_429_with_retry_after_and_nothing_stored()
    {
        await using var host = await StartAsync("default");
        host.Broker.RefuseNextAppend = BrokerErrorKind.Overloaded;
        using var response = await host.Client.PostAsync("/gateway/orders", GatewayHost.Batch($"[{GatewayHost.EventJson("a")},{GatewayHost.EventJson("b")}]"));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.TooManyRequests, "overloaded", "/gateway/orders");
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal(0, host.Broker.TotalStored);
    }

    [Fact]
    public async Task Requests_past_the_in_flight_bound_are_429_while_the_first_is_held()
    {
        await using var host = await StartAsync("default", options: new GatewayOptions { MaxConcurrentIngests = 1 });
        host.Broker.HoldAppends = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = host.Client.PostAsync("/gateway/orders", GatewayHost.Binary("held"));
        await host.Broker.AppendEntered.Task;

        using (var second = await host.Client.PostAsync("/gateway/orders", GatewayHost.Binary("refused")))
        {
            var problem = await ProblemAssert.IsProblemAsync(second, HttpStatusCode.TooManyRequests, "overloaded", "/gateway/orders");
            Assert.Contains("1 ingest requests", ProblemAssert.Text(problem, "detail"));
        }

        host.Broker.HoldAppends.SetResult();
        using var firstResponse = await first;
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        Assert.Equal(["held"], host.Broker.Stored("default", "orders", 0).Select(s => s.Event.Id));

        // The bound is a count of requests in flight, so the slot is free again.
        host.Broker.HoldAppends = null;
        using var third = await host.Client.PostAsync("/gateway/orders", GatewayHost.Binary("after"));
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task Requests_past_the_buffered_bytes_bound_are_429_while_the_first_is_held()
    {
        await using var host = await StartAsync("default", options: new GatewayOptions { MaxEventBytes = 3000, MaxRequestBytes = 3000, MaxBufferedBytes = 4000 });
        host.Broker.HoldAppends = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = host.Client.PostAsync("/gateway/orders", GatewayHost.Binary("held", new string('a', 2500)));
        await host.Broker.AppendEntered.Task;

        using (var second = await host.Client.PostAsync("/gateway/orders", GatewayHost.Binary("refused", new string('b', 2000))))
        {
            var problem = await ProblemAssert.IsProblemAsync(second, HttpStatusCode.TooManyRequests, "overloaded", "/gateway/orders");
            Assert.Contains("4000 bytes", ProblemAssert.Text(problem, "detail"));
        }

        host.Broker.HoldAppends.SetResult();
        using var firstResponse = await first;
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        Assert.Equal(["held"], host.Broker.Stored("default", "orders", 0).Select(s => s.Event.Id));
    }

    [Fact]
    public async Task Not_ready_is_503_with_retry_after_and_the_body_is_not_taken()
    {
        await using var host = await StartAsync("default");
        host.Broker.IsReady = false;
        using var response = await host.Client.PostAsync("/gateway/orders", GatewayHost.Binary("n-1"));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable, "not-ready", "/gateway/orders");
        Assert.Equal(0, host.Broker.AppendCalls);
        Assert.Equal(0, host.Broker.TotalStored);
    }

    [Fact]
    public async Task Failure_after_validation_is_503_listing_exactly_the_events_stored()
    {
        await using var host = await StartAsync("default");
        host.Broker.FailNextAppendAfter = 2;
        var batch = $"[{GatewayHost.EventJson("f-0")},{GatewayHost.EventJson("f-1")},{GatewayHost.EventJson("f-2")}]";
        using var response = await host.Client.PostAsync("/gateway/orders", GatewayHost.Batch(batch));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable, "unavailable", "/gateway/orders");
        var stored = problem.GetProperty("stored").EnumerateArray().ToArray();
        Assert.Equal(["f-0", "f-1"], stored.Select(s => s.GetProperty("id").GetString()));
        Assert.Equal([0L, 1L], stored.Select(s => s.GetProperty("offset").GetInt64()));
        Assert.Equal(["f-0", "f-1"], host.Broker.Stored("default", "orders", 0).Select(s => s.Event.Id));
    }

    [Fact]
    public async Task Every_failure_logs_one_line_and_a_success_logs_none()
    {
        await using var host = await StartAsync("default");
        host.Logs.Clear();
        using (var ok = await host.Client.PostAsync("/gateway/orders", GatewayHost.Binary("ok")))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Empty(GatewayLines(host));
        using (var bad = await host.Client.PostAsync("/gateway/nosuchbus", GatewayHost.Binary("x")))
        {
            Assert.Equal(HttpStatusCode.NotFound, bad.StatusCode);
        }

        var line = Assert.Single(GatewayLines(host));
        Assert.Contains("/gateway/nosuchbus", line);
        Assert.Contains("404", line);
    }

    private static List<string> GatewayLines(GatewayHost host) =>
        [.. host.Logs.Lines.Where(l => l.Category.StartsWith("Vanus.", StringComparison.Ordinal)).Select(l => l.Message)];

    private static async Task<GatewayHost> StartAsync(string ns, int eventlogs = 1, GatewayOptions? options = null)
    {
        var host = await GatewayHost.StartAsync(options);
        if (ns != "default")
        {
            await host.CreateNamespaceAsync(ns);
        }

        await host.CreateBusAsync("orders", eventlogs, ns);
        return host;
    }
}
