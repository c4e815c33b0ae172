using System.Text.Json.Nodes;

namespace Vanus.Client.Tests;

public sealed class SubscriptionPipelineTests
{
    private static void AssertJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected {expected}\nactual   {actual}");

    [Fact]
    public void Minimal_pipeline_to_a_sink_writes_name_eventbus_sink_and_protocol_only()
    {
        var json = Pipeline.FromEventBus("orders").To(Sink.Http("http://127.0.0.1:9000/hook")).ToJson("hook");

        Assert.Equal("""{"name":"hook","eventbus":"orders","sink":"http://127.0.0.1:9000/hook","protocol":"http"}""", json);
    }

    [Fact]
    public void Pipeline_without_a_sink_is_a_pull_subscription_with_no_sink_field()
    {
        var json = Pipeline.FromEventBus("orders", StartAt.Latest).ToJson("local");

        Assert.Equal("""{"name":"local","eventbus":"orders","protocol":"pull","from":"latest"}""", json);
    }

    [Fact]
    public void Every_stage_and_delivery_setting_lands_in_its_document_field()
    {
        var json = Pipeline
            .FromEventBus("orders", StartAt.At(new DateTimeOffset(2026, 11, 27, 16, 0, 0, 500, TimeSpan.FromHours(1))))
            .Where(Filter.Exact("type", "order.created"))
            .Where("amount > 100")
            .Transform(t => t
                .Define("id", "$.data.id")
                .Command("create", "$.region", "eu")
                .Command("math_add", "$.data.total", "$.data.tax", 2)
                .Template("{\"order\":\"<id>\"}", TemplateType.Json))
            .Delay(TimeSpan.FromMilliseconds(250))
            .To(
                Sink.Http("https://hooks.example.com/orders").Structured().Header("Authorization", "Bearer abc"),
                Delivery.Retry(maxAttempts: 10)
                    .Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(30), TimeSpan.FromHours(12), TimeSpan.FromDays(7), TimeSpan.FromMilliseconds(1500))
                    .Timeout(TimeSpan.FromSeconds(3))
                    .Ordered()
                    .Inflight(64)
                    .RateLimit(12.5)
                    .DeadLetter(false))
            .ToJson("orders-hook");

        AssertJson("""
            {
              "name": "orders-hook", "eventbus": "orders",
              "filters": [ {"exact": {"type": "order.created"}}, {"sql": "amount > 100"} ],
              "transformer": {
                "define": {"id": "$.data.id"},
                "pipeline": [ {"command": ["create", "$.region", "eu"]}, {"command": ["math_add", "$.data.total", "$.data.tax", 2]} ],
                "template": "{\"order\":\"<id>\"}", "template_type": "json"
              },
              "delay": "250ms",
              "sink": "https://hooks.example.com/orders", "protocol": "http", "mode": "structured",
              "sinkHeaders": { "Authorization": "Bearer abc" },
              "delivery": { "maxAttempts": 10, "backoff": ["1s", "30m", "12h", "7d", "1500ms"], "timeout": "3s",
                            "deadLetter": false, "ordered": true, "inflight": 64, "rateLimit": 12.5 },
              "from": "2026-11-27T15:00:00.5Z"
            }
            """, json);
    }

    [Fact]
    public void Filter_combinators_write_the_vanus_dialects()
    {
        var json = Pipeline.FromEventBus("b")
            .Where(Filter.Any(Filter.Prefix("type", "order."), Filter.Suffix("subject", ".pdf")))
            .Where(Filter.Not(Filter.Cel("$amount.(int64) < 10")))
            .Where(Filter.All(Filter.Exact("source", "shop"), Filter.Exact("data.kind", "x")))
            .Where(Filter.FromJson("""[{"exact":{"subject":"a"}}]"""))
            .ToJson("s");

        AssertJson("""
            {"name":"s","eventbus":"b","protocol":"pull","filters":[
              {"any":[{"prefix":{"type":"order."}},{"suffix":{"subject":".pdf"}}]},
              {"not":{"cel":"$amount.(int64) < 10"}},
              {"exact":{"source":"shop"}},{"exact":{"data.kind":"x"}},
              {"exact":{"subject":"a"}}]}
            """, json);
    }

    [Fact]
    public void A_raw_transformer_document_is_kept_as_given()
    {
        var json = Pipeline.FromEventBus("b").Transform("""{"define":{"t":"$.type"},"template":"<t>"}""").ToJson("s");

        AssertJson("""{"name":"s","eventbus":"b","protocol":"pull","transformer":{"define":{"t":"$.type"},"template":"<t>"}}""", json);
    }

    [Fact]
    public void Delivery_for_a_pull_subscription_sets_its_ack_timeout()
    {
        var json = Pipeline.FromEventBus("b").WithDelivery(Delivery.Default.Timeout(TimeSpan.FromSeconds(30)).MaxAttempts(3)).ToJson("s");

        AssertJson("""{"name":"s","eventbus":"b","protocol":"pull","delivery":{"maxAttempts":3,"timeout":"30s"}}""", json);
    }

    [Fact]
    public void Default_delivery_writes_no_delivery_field_and_zero_delay_is_written()
    {
        var json = Pipeline.FromEventBus("b").Delay(TimeSpan.Zero).To(Sink.Http("http://h/"), Delivery.Default).ToJson("s");

        Assert.Equal("""{"name":"s","eventbus":"b","delay":"0s","sink":"http://h/","protocol":"http"}""", json);
    }

    [Fact]
    public void Pipelines_are_immutable_values()
    {
        var start = Pipeline.FromEventBus("b");
        var filtered = start.Where("type = 'x'");
        _ = filtered.To(Sink.Http("http://h/"));

        Assert.Equal("""{"name":"s","eventbus":"b","protocol":"pull"}""", start.ToJson("s"));
        Assert.Null(filtered.Sink);
        Assert.Equal("""{"maxAttempts":3}""", Delivery.Retry(3).ToString());
        Assert.Equal("{}", Delivery.Default.ToString());
    }

    [Fact]
    public void Delivery_settings_compare_by_value()
    {
        Assert.Equal(Delivery.Retry(3).Backoff(TimeSpan.FromSeconds(1)), Delivery.Retry(3).Backoff(TimeSpan.FromSeconds(1)));
        Assert.NotEqual(Delivery.Retry(3).Backoff(TimeSpan.FromSeconds(1)), Delivery.Retry(3).Backoff(TimeSpan.FromSeconds(2)));
        Assert.NotEqual(Delivery.Retry(3), Delivery.Retry(3).Ordered());
    }

    [Fact]
    public void Bad_cesql_is_refused_where_it_is_written()
    {
        var e = Assert.Throws<ArgumentException>(() => Pipeline.FromEventBus("b").Where("type = = 'x'"));
        Assert.Contains("filters[0].sql", e.Message);
    }

    [Fact]
    public void Bad_cel_and_bad_raw_filters_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Filter.Cel("$a.(int64) <"));
        var e = Assert.Throws<ArgumentException>(() => Filter.FromJson("""[{"exakt":{"type":"x"}}]"""));
        Assert.Contains("exakt", e.Message);
        Assert.Throws<ArgumentException>(() => Filter.Any());
        Assert.Throws<ArgumentException>(() => Filter.Exact("", "x"));
        Assert.Throws<ArgumentNullException>(() => Filter.Exact("type", null!));
        Assert.Throws<ArgumentException>(() => Filter.Sql("  "));
    }

    [Fact]
    public void Bad_transformers_are_refused_naming_the_part()
    {
        var e = Assert.Throws<ArgumentException>(() => Pipeline.FromEventBus("b").Transform(t => t.Command("no_such_action", "$.x")));
        Assert.Contains("pipeline[0]", e.Message);
        Assert.Throws<ArgumentException>(() => Pipeline.FromEventBus("b").Transform("""{"defin":{}}"""));
        Assert.Throws<ArgumentException>(() => Pipeline.FromEventBus("b").Transform("not json"));
        Assert.Throws<InvalidOperationException>(() => Pipeline.FromEventBus("b").Transform(_ => { }));
        Assert.Throws<ArgumentException>(() => Pipeline.FromEventBus("b").Transform(t => t.Define("a", "$.type").Define("a", "$.id")));
        Assert.Throws<InvalidOperationException>(() => Pipeline.FromEventBus("b").Transform(t => t.Template("a").Template("b")));
    }

    [Fact]
    public void Stages_out_of_order_or_twice_are_refused()
    {
        var transformed = Pipeline.FromEventBus("b").Transform(t => t.Template("x"));
        Assert.Contains("Where comes before Transform", Assert.Throws<InvalidOperationException>(() => transformed.Where("true")).Message);
        Assert.Throws<InvalidOperationException>(() => transformed.Transform(t => t.Template("y")));
        Assert.Throws<InvalidOperationException>(() => transformed.Delay(TimeSpan.FromSeconds(1)).Delay(TimeSpan.FromSeconds(2)));

        var sunk = Pipeline.FromEventBus("b").To(Sink.Http("http://h/"));
        Assert.Contains("cannot follow To", Assert.Throws<InvalidOperationException>(() => sunk.Where("true")).Message);
        Assert.Throws<InvalidOperationException>(() => sunk.To(Sink.Http("http://other/")));
        Assert.Throws<InvalidOperationException>(() => sunk.Delay(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Durations_that_the_node_cannot_read_are_refused()
    {
        var b = Pipeline.FromEventBus("b");
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Delay(TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Delay(TimeSpan.FromTicks(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Delivery.Default.Timeout(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => Delivery.Default.Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentException>(() => Delivery.Default.Backoff());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    public void Max_attempts_outside_1_to_32_is_refused(int attempts) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Delivery.Retry(attempts));

    [Fact]
    public void Delivery_limits_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Delivery.Default.Inflight(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Delivery.Default.Inflight(65537));
        Assert.Throws<ArgumentOutOfRangeException>(() => Delivery.Default.RateLimit(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Delivery.Default.RateLimit(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Delivery.Default.RateLimit(double.PositiveInfinity));
    }

    [Theory]
    [InlineData("ftp://h/x")]
    [InlineData("/relative/hook")]
    [InlineData("not a url")]
    public void Sinks_must_be_absolute_http_urls(string url) =>
        Assert.Contains("absolute http or https", Assert.Throws<ArgumentException>(() => Sink.Http(url)).Message);

    [Fact]
    public void Sink_headers_are_checked()
    {
        var sink = Sink.Http("http://h/");
        Assert.Throws<ArgumentException>(() => sink.Header("Bad Name", "x"));
        Assert.Throws<ArgumentException>(() => sink.Header("X-A", "line\r\nbreak"));
        Assert.Throws<ArgumentException>(() => sink.Header("X-A", "1").Header("x-a", "2"));
        Assert.Equal(2, sink.Header("X-A", "1").Header("X-B", "2").Headers.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("a b")]
    public void Names_that_cannot_travel_in_a_path_are_refused(string name)
    {
        Assert.Throws<ArgumentException>(() => Pipeline.FromEventBus(name));
        Assert.Throws<ArgumentException>(() => Pipeline.FromEventBus("b").ToJson(name));
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => Pipeline.FromEventBus(null!));
        Assert.Throws<ArgumentNullException>(() => Pipeline.FromEventBus("b").Where((string)null!));
        Assert.Throws<ArgumentNullException>(() => Pipeline.FromEventBus("b").Where((Operators.Filters.SubscriptionFilter)null!));
        Assert.Throws<ArgumentNullException>(() => Pipeline.FromEventBus("b").To((HttpSink)null!));
        Assert.Throws<ArgumentNullException>(() => Pipeline.FromEventBus("b").To((Func<Runtime.Events.Event, CancellationToken, ValueTask>)null!));
        Assert.Throws<ArgumentNullException>(() => Pipeline.FromEventBus("b").Transform((Action<TransformerBuilder>)null!));
        Assert.Throws<ArgumentNullException>(() => Pipeline.FromEventBus("b").WithDelivery(null!));
    }

    [Fact]
    public void A_pipeline_with_CSharp_stages_runs_only_in_process()
    {
        var declarative = Pipeline.FromEventBus("orders").Where("amount > 1").To(Sink.Http("http://127.0.0.1:9000/hook"));
        var local = declarative.Select(e => e).Where(e => e.Type != "x");

        Assert.False(declarative.IsLocal);
        Assert.True(local.IsLocal);
        Assert.Contains("RunAsync", Assert.Throws<InvalidOperationException>(() => local.ToJson("s")).Message, StringComparison.Ordinal);
        Assert.True(Pipeline.FromEventBus("orders").To((_, _) => ValueTask.CompletedTask).IsLocal);

        // The declarative part stays as it was: C# stages are added, not mixed into the document.
        Assert.Equal(declarative.ToJson("s"), Pipeline.FromEventBus("orders").Where("amount > 1").To(Sink.Http("http://127.0.0.1:9000/hook")).ToJson("s"));
    }

    [Fact]
    public async Task A_run_needs_somewhere_to_deliver()
    {
        using var client = new VanusClient(new Uri("http://127.0.0.1:9"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Pipeline.FromEventBus("orders").Select(e => e).RunAsync(client, "local"));
        Assert.Contains("To(", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => Pipeline.FromEventBus("orders").To((_, _) => ValueTask.CompletedTask).RunAsync(client, "bad name!"));
    }
}
