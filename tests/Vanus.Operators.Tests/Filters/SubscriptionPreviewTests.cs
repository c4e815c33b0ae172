using System.Text;
using System.Text.Json.Nodes;
using Vanus.Operators.Filters;
using Vanus.Operators.Transform;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Tests.Filters;

/// <summary>The dry run: filter result, transformed event, or the transform error with its action.</summary>
public sealed class SubscriptionPreviewTests
{
    private static readonly Event Order = new Event("1", "/shop", "order.created") { DataContentType = "application/json", Data = Encoding.UTF8.GetBytes("""{"id": "o-42", "a": 1, "b": 0}""") };

    [Fact]
    public void An_event_the_filters_reject_is_not_transformed()
    {
        var result = SubscriptionPreview.Validate(SubscriptionFilter.Exact("type", "other"), Transformer.Parse("""{"template": "x"}"""), Order);
        Assert.False(result.FilterPassed);
        Assert.Empty(result.Events);
        Assert.Null(result.Error);
        Assert.False(result.Delivered);
    }

    [Fact]
    public void An_event_that_passes_is_transformed()
    {
        var transformer = Transformer.Parse("""{"define": {"id": "$.data.id"}, "template": "{\"order\":\"<id>\"}"}""");
        var result = SubscriptionPreview.Validate(SubscriptionFilter.Prefix("type", "order."), transformer, Order);
        Assert.True(result.FilterPassed);
        Assert.True(result.Delivered);
        var e = Assert.Single(result.Events);
        Assert.Equal("o-42", JsonNode.Parse(e.Data!.Value.Span)!["order"]!.GetValue<string>());
    }

    [Fact]
    public void Without_filters_or_transformer_the_event_goes_through_unchanged()
    {
        var result = SubscriptionPreview.Validate(null, null, Order);
        Assert.True(result.Delivered);
        Assert.Same(Order, Assert.Single(result.Events));
    }

    [Fact]
    public void A_transform_failure_is_reported_with_its_action_not_thrown()
    {
        var transformer = Transformer.Parse("""{"pipeline": [{"command": ["create", "$.data.x", 1]}, {"command": ["math_div", "$.data.c", "$.data.a", "$.data.b"]}]}""");
        var result = SubscriptionPreview.Validate(SubscriptionFilter.MatchAll, transformer, Order);
        Assert.True(result.FilterPassed);
        Assert.False(result.Delivered);
        Assert.Empty(result.Events);
        var error = Assert.IsType<SubscriptionPreviewError>(result.Error);
        Assert.Equal("MATH_DIV", error.Action);
        Assert.Equal(1, error.PipelineIndex);
        Assert.Contains("division by zero", error.Reason, StringComparison.Ordinal);
        Assert.Contains("pipeline[1]", error.Message, StringComparison.Ordinal);
    }
}
