using Vanus.Operators.Filters;
using Vanus.Operators.Linq;
using Vanus.Operators.Sql;
using Vanus.Operators.Transform;
using Vanus.Runtime.Events;
using Vanus.Runtime.Pipeline;

namespace Vanus.Operators.Tests.Filters;

/// <summary>The declarative Where and Transform operators on sources and flows of events.</summary>
public sealed class EventFilterOperatorsTests
{
    private static readonly Event[] Events =
    [
        new Event("1", "/shop/eu", "order.created").WithExtension("amount", AttributeValue.FromInteger(150)),
        new Event("2", "/shop/eu", "order.cancelled").WithExtension("amount", AttributeValue.FromInteger(150)),
        new Event("3", "/shop/us", "order.created").WithExtension("amount", AttributeValue.FromInteger(50)),
        new Event("4", "/other", "order.created"),
    ];

    private static async Task<string[]> Ids(Source<Event> source) =>
        [.. (await source.RunWith(Sink.ToList<Event>())).Select(e => e.Id)];

    [Fact]
    public async Task Where_with_cesql_keeps_events_that_are_true()
    {
        Assert.Equal(["1"], await Ids(Source.From(Events).Where("type = 'order.created' AND amount > 100 AND source LIKE '/shop/%'")));
        Assert.Equal(["1", "3"], await Ids(Source.From(Events).Where(CesqlExpression.Parse("type = 'order.created' AND amount > 0"))));
    }

    [Fact]
    public void Where_with_cesql_that_does_not_parse_throws_when_the_pipeline_is_built()
    {
        var ex = Assert.Throws<CesqlParseException>(() => Source.From(Events).Where("type = "));
        Assert.Equal(7, ex.Position);
        Assert.Throws<CesqlParseException>(() => Flow.Create<Event>().Where("AND"));
    }

    [Fact]
    public async Task Where_with_a_subscription_filter_keeps_events_that_pass()
    {
        var filter = SubscriptionFilter.Parse("""[{"prefix": {"source": "/shop/"}}, {"not": {"exact": {"type": "order.cancelled"}}}]""");
        Assert.Equal(["1", "3"], await Ids(Source.From(Events).Where(filter)));
        Assert.Equal(["1", "2", "3", "4"], await Ids(Source.From(Events).Where(SubscriptionFilter.MatchAll)));
    }

    [Fact]
    public async Task Flows_take_the_same_operators()
    {
        var flow = Flow.Create<Event>()
            .Where(SubscriptionFilter.Exact("type", "order.created"))
            .Where("amount > 100")
            .Transform(Transformer.Parse("""{"pipeline": [{"command": ["create", "$.routed", "yes"]}]}"""));
        var result = await Source.From(Events).Via(flow).RunWith(Sink.ToList<Event>());
        var only = Assert.Single(result);
        Assert.Equal("1", only.Id);
        Assert.True(only.Extensions.TryGet("routed", out var routed));
        Assert.Equal("yes", routed.ToString());
    }

    [Fact]
    public async Task Transform_rewrites_each_event_in_order()
    {
        var transformer = Transformer.Parse("""{"pipeline": [{"command": ["create", "$.seen", "true"]}]}""");
        var result = await Source.From(Events).Transform(transformer).RunWith(Sink.ToList<Event>());
        Assert.Equal(["1", "2", "3", "4"], result.Select(e => e.Id));
        Assert.All(result, e => Assert.True(e.Extensions.TryGet("seen", out _)));
    }

    [Fact]
    public async Task A_transform_failure_fails_the_stream_naming_the_action()
    {
        var transformer = Transformer.Parse("""{"pipeline": [{"command": ["math_div", "$.data.c", "$.data.a", "$.data.b"]}]}""");
        var e = new Event("1", "/s", "t").WithTextData("""{"a": 1, "b": 0}""", "application/json");
        var ex = await Assert.ThrowsAsync<TransformException>(() => Source.From([e]).Transform(transformer).RunWith(Sink.ToList<Event>()));
        Assert.Equal("MATH_DIV", ex.Action);
    }

    [Fact]
    public async Task The_declarative_overloads_live_beside_the_delegate_ones()
    {
        // Both operator sets imported: a string, a filter and a lambda each pick their own overload.
        var source = Source.From(Events).Where("amount >= 50").Where(SubscriptionFilter.Prefix("source", "/shop/")).Where(e => e.Id != "2");
        Assert.Equal(["1", "3"], await Ids(source));
    }

    [Fact]
    public void Arguments_are_checked()
    {
        Assert.Throws<ArgumentNullException>(() => Source.From(Events).Where((string)null!));
        Assert.Throws<ArgumentNullException>(() => Source.From(Events).Where((SubscriptionFilter)null!));
        Assert.Throws<ArgumentNullException>(() => Source.From(Events).Transform(null!));
        Assert.Throws<ArgumentNullException>(() => EventFilterOperators.Where((Source<Event>)null!, "true"));
    }
}
