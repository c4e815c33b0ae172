using System.Text.Json.Nodes;
using Vanus.Client;

// Deliberately outside Vanus.Client.*: this is user code that has only `using Vanus.Client;`, as in DESIGN §3.
#pragma warning disable IDE0130
namespace ClientUsage;
#pragma warning restore IDE0130

public sealed class DesignExampleTests
{
    [Fact]
    public void The_design_section_3_pipeline_compiles_and_serialises_to_the_subscription_document()
    {
        var pipeline = Pipeline
            .FromEventBus("orders", StartAt.Earliest)
            .Where("type LIKE 'order.%' AND amount > 100")            // CESQL, or Filter.Prefix("type","order.")
            .Transform(t => t.Define("id", "$.data.id").Template("{\"order\":\"<id>\"}"))
            .Delay(TimeSpan.FromMinutes(5))
            .To(Sink.Http("http://127.0.0.1:9000/hook"), Delivery.Retry(maxAttempts: 10).DeadLetter());

        var expected = JsonNode.Parse("""
            { "name": "orders-hook", "eventbus": "orders",
              "filters": [ {"sql": "type LIKE 'order.%' AND amount > 100"} ],
              "transformer": { "define": {"id": "$.data.id"}, "template": "{\"order\":\"<id>\"}" },
              "delay": "5m",
              "sink": "http://127.0.0.1:9000/hook", "protocol": "http",
              "delivery": { "maxAttempts": 10, "deadLetter": true },
              "from": "earliest" }
            """);
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(pipeline.ToJson("orders-hook"))), pipeline.ToJson("orders-hook"));
    }

    [Fact]
    public void The_dialect_alternative_of_the_comment_compiles_too()
    {
        var json = Pipeline.FromEventBus("orders", StartAt.Earliest).Where(Filter.Prefix("type", "order.")).ToJson("p");

        Assert.Equal("""{"name":"p","eventbus":"orders","filters":[{"prefix":{"type":"order."}}],"protocol":"pull","from":"earliest"}""", json);
    }
}
