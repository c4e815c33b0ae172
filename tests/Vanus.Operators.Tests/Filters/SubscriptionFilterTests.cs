using System.Text;
using System.Text.Json;
using Vanus.Operators.Filters;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Tests.Filters;

/// <summary>Every filter dialect of a subscription, its matching rules and its rejections at creation.</summary>
public sealed class SubscriptionFilterTests
{
    internal static readonly Event Order = new Event("id-1", "/shop/eu", "order.created")
    {
        Subject = "orders/42",
        Time = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero),
        DataContentType = "application/json",
        Data = Encoding.UTF8.GetBytes("""{"id":"o-42","amount":150,"price":9.50,"paid":true,"note":null,"customer":{"name":"Ann \u00e9\"x\"","tier":"gold"},"items":[{"sku":"a-1"},{"sku":"b-2"}],"a.b":"dotted"}"""),
    }
        .WithExtension("amount", AttributeValue.FromInteger(150))
        .WithExtension("priority", AttributeValue.FromBoolean(true))
        .WithExtension("region", AttributeValue.FromString("eu-west"));

    private static bool Matches(string filters, Event? e = null) => SubscriptionFilter.Parse(filters).Matches(e ?? Order);

    [Theory]
    [InlineData("""[{"exact": {"type": "order.created"}}]""", true)]
    [InlineData("""[{"exact": {"type": "Order.Created"}}]""", false)]
    [InlineData("""[{"exact": {"type": "order"}}]""", false)]
    [InlineData("""[{"exact": {"type": "order.created", "source": "/shop/eu"}}]""", true)]
    [InlineData("""[{"exact": {"type": "order.created", "source": "/shop/us"}}]""", false)]
    [InlineData("""[{"exact": {"id": "id-1", "specversion": "1.0", "subject": "orders/42", "datacontenttype": "application/json"}}]""", true)]
    [InlineData("""[{"exact": {"dataschema": "x"}}]""", false)]
    [InlineData("""[{"exact": {"time": "2024-05-06T07:08:09Z"}}]""", true)]
    [InlineData("""[{"exact": {"amount": "150"}}]""", true)]
    [InlineData("""[{"exact": {"priority": "true"}}]""", true)]
    [InlineData("""[{"exact": {"region": "eu-west"}}]""", true)]
    [InlineData("""[{"exact": {"missing": "x"}}]""", false)]
    [InlineData("""[{"prefix": {"type": "order."}}]""", true)]
    [InlineData("""[{"prefix": {"type": "order.created.v2"}}]""", false)]
    [InlineData("""[{"prefix": {"type": "ORDER."}}]""", false)]
    [InlineData("""[{"prefix": {"amount": "15"}}]""", true)]
    [InlineData("""[{"prefix": {"missing": "x"}}]""", false)]
    [InlineData("""[{"suffix": {"type": ".created"}}]""", true)]
    [InlineData("""[{"suffix": {"source": "/us"}}]""", false)]
    [InlineData("""[{"suffix": {"region": "-west", "type": "created"}}]""", true)]
    public void Exact_prefix_and_suffix_compare_attributes_case_sensitively(string filters, bool expected) => Assert.Equal(expected, Matches(filters));

    [Theory]
    [InlineData("""[{"exact": {"data.id": "o-42"}}]""", true)]
    [InlineData("""[{"exact": {"data.amount": "150"}}]""", true)]
    [InlineData("""[{"exact": {"data.price": "9.50"}}]""", true)]
    [InlineData("""[{"exact": {"data.paid": "true"}}]""", true)]
    [InlineData("""[{"exact": {"data.note": "null"}}]""", false)]
    [InlineData("""[{"exact": {"data.customer": "x"}}]""", false)]
    [InlineData("""[{"exact": {"data.customer.tier": "gold"}}]""", true)]
    [InlineData("""[{"exact": {"data.customer.name": "Ann é\"x\""}}]""", true)]
    [InlineData("""[{"prefix": {"data.customer.name": "Ann é"}}]""", true)]
    [InlineData("""[{"suffix": {"data.customer.name": "\"x\""}}]""", true)]
    [InlineData("""[{"exact": {"data.items[1].sku": "b-2"}}]""", true)]
    [InlineData("""[{"exact": {"data.items[2].sku": "b-2"}}]""", false)]
    [InlineData("""[{"exact": {"data['a.b']": "dotted"}}]""", true)]
    [InlineData("""[{"exact": {"data.missing": "x"}}]""", false)]
    [InlineData("""[{"prefix": {"data.amount": "1"}}]""", true)]
    [InlineData("""[{"suffix": {"data.id": "-42", "type": "order.created"}}]""", true)]
    [InlineData("""[{"exact": {"data.id": "o-42", "type": "other"}}]""", false)]
    public void Data_paths_compare_json_values_as_text(string filters, bool expected) => Assert.Equal(expected, Matches(filters));

    [Theory]
    [InlineData(0L)]
    [InlineData(1234500L)]
    [InlineData(9999999L)]
    [InlineData(10L)]
    public void The_time_attribute_compares_as_its_rfc3339_text(long fractionTicks)
    {
        var time = new DateTimeOffset(2024, 5, 6, 9, 8, 9, TimeSpan.FromHours(2)).AddTicks(fractionTicks);
        var e = new Event("1", "/s", "t") { Time = time };
        var text = Rfc3339.Format(time);
        Assert.True(SubscriptionFilter.Exact("time", text).Matches(e));
        Assert.False(SubscriptionFilter.Exact("time", text + "0").Matches(e));
        Assert.True(SubscriptionFilter.Prefix("time", "2024-05-06T07:08").Matches(e));
    }

    [Fact]
    public void The_data_key_compares_the_whole_data_as_text()
    {
        var text = new Event("1", "/s", "t").WithTextData("hello world");
        Assert.True(Matches("""[{"exact": {"data": "hello world"}}]""", text));
        Assert.False(Matches("""[{"exact": {"data": "hello"}}]""", text));
        Assert.True(Matches("""[{"prefix": {"data": "hello"}}]""", text));
        Assert.True(Matches("""[{"suffix": {"data": "world"}}]""", text));
        Assert.False(Matches("""[{"exact": {"data": "x"}}]""", new Event("1", "/s", "t")));
    }

    [Fact]
    public void Data_paths_never_match_data_that_is_not_json()
    {
        var plain = new Event("1", "/s", "t").WithTextData("""{"id":"o-42"}""", "text/plain");
        var broken = new Event("1", "/s", "t") { Data = Encoding.UTF8.GetBytes("{\"id\": \"o-42\""), DataContentType = "application/json" };
        var none = new Event("1", "/s", "t");
        foreach (var e in new[] { plain, broken, none })
        {
            Assert.False(Matches("""[{"exact": {"data.id": "o-42"}}]""", e));
        }

        // The data key itself reads the bytes whatever the content type.
        Assert.True(Matches("""[{"prefix": {"data": "{\"id\""}}]""", plain));
    }

    [Theory]
    [InlineData("""[{"all": [{"exact": {"type": "order.created"}}, {"prefix": {"source": "/shop"}}]}]""", true)]
    [InlineData("""[{"all": [{"exact": {"type": "order.created"}}, {"prefix": {"source": "/other"}}]}]""", false)]
    [InlineData("""[{"any": [{"exact": {"type": "x"}}, {"prefix": {"source": "/shop"}}]}]""", true)]
    [InlineData("""[{"any": [{"exact": {"type": "x"}}, {"exact": {"type": "y"}}]}]""", false)]
    [InlineData("""[{"not": {"exact": {"type": "x"}}}]""", true)]
    [InlineData("""[{"not": {"exact": {"type": "order.created"}}}]""", false)]
    [InlineData("""[{"not": {"any": [{"exact": {"type": "x"}}, {"all": [{"suffix": {"type": "created"}}, {"exact": {"region": "eu-west"}}]}]}}]""", false)]
    [InlineData("""[{"exact": {"type": "order.created"}}, {"exact": {"region": "eu-west"}}]""", true)]
    [InlineData("""[{"exact": {"type": "order.created"}}, {"exact": {"region": "us-east"}}]""", false)]
    public void All_any_not_and_the_list_combine_filters(string filters, bool expected) => Assert.Equal(expected, Matches(filters));

    [Theory]
    [InlineData("""[{"sql": "type = 'order.created' AND amount > 100"}]""", true)]
    [InlineData("""[{"sql": "amount > 1000"}]""", false)]
    [InlineData("""[{"sql": "missing > 1"}]""", false)]
    [InlineData("""[{"sql": "1 / 0 = 0"}]""", false)]
    [InlineData("""[{"sql": "'abc'"}]""", false)]
    [InlineData("""[{"sql": "source LIKE '/shop/%'"}]""", true)]
    [InlineData("""[{"cel": "type == 'order.created' && amount > 100"}]""", true)]
    [InlineData("""[{"cel": "$customer.tier.(string) == 'gold' && $amount.(int64) >= 150"}]""", true)]
    [InlineData("""[{"cel": "missing > 1"}]""", false)]
    [InlineData("""[{"cel": "$amount.(int64) / 0 == 1"}]""", false)]
    public void Sql_and_cel_pass_only_on_true(string filters, bool expected) => Assert.Equal(expected, Matches(filters));

    [Theory]
    [InlineData("[]")]
    [InlineData("null")]
    public void No_filters_match_everything(string filters)
    {
        var filter = SubscriptionFilter.Parse(filters);
        Assert.True(filter.IsMatchAll);
        Assert.True(filter.Matches(Order));
        Assert.True(filter.Matches(new Event("x", "/x", "x")));
        Assert.True(SubscriptionFilter.Parse(default(JsonElement)).Matches(Order));
    }

    [Theory]
    [InlineData("""{"exact": {"type": "x"}}""", "filters", "must be an array of filters, not an object")]
    [InlineData("""[{"exact": {"type": "x"}""", "filters", "is not valid JSON")]
    [InlineData("""["exact"]""", "filters[0]", "must be an object with one dialect")]
    [InlineData("""[{}]""", "filters[0]", "has no dialect")]
    [InlineData("""[{"exact": {"type": "x"}}, {"regex": {"type": "x"}}]""", "filters[1]", "unknown dialect 'regex'")]
    [InlineData("""[{"Exact": {"type": "x"}}]""", "filters[0]", "unknown dialect 'Exact'")]
    [InlineData("""[{"exact": {"type": "x"}, "prefix": {"type": "y"}}]""", "filters[0]", "two dialects, 'exact' and 'prefix'")]
    [InlineData("""[{"exact": {"type": "x"}, "exact": {"type": "y"}}]""", "filters[0]", "names the dialect 'exact' twice")]
    [InlineData("""[{"exact": "type"}]""", "filters[0].exact", "must be an object of attribute names to strings, not a string")]
    [InlineData("""[{"exact": {}}]""", "filters[0].exact", "names no attribute")]
    [InlineData("""[{"exact": {"": "x"}}]""", "filters[0].exact['']", "attribute name is empty")]
    [InlineData("""[{"prefix": {"type": ""}}]""", "filters[0].prefix.type", "value is empty")]
    [InlineData("""[{"suffix": {"amount": 150}}]""", "filters[0].suffix.amount", "must be a string, not a number")]
    [InlineData("""[{"exact": {"Type": "x"}}]""", "filters[0].exact.Type", "not a CloudEvents attribute name")]
    [InlineData("""[{"exact": {"my-ext": "x"}}]""", "filters[0].exact['my-ext']", "not a CloudEvents attribute name")]
    [InlineData("""[{"exact": {"type": "x", "type": "y"}}]""", "filters[0].exact.type", "names 'type' twice")]
    [InlineData("""[{"exact": {"data.": "x"}}]""", "filters[0].exact['data.']", "not a valid data path")]
    [InlineData("""[{"exact": {"data.items[*].sku": "x"}}]""", "filters[0].exact['data.items[*].sku']", "wildcards")]
    [InlineData("""[{"exact": {"data.a..b": "x"}}]""", "filters[0].exact['data.a..b']", "empty name")]
    [InlineData("""[{"all": []}]""", "filters[0].all", "must not be empty")]
    [InlineData("""[{"any": {"exact": {"type": "x"}}}]""", "filters[0].any", "must be an array of filters, not an object")]
    [InlineData("""[{"any": [{"exact": {"type": "x"}}, 5]}]""", "filters[0].any[1]", "must be an object with one dialect")]
    [InlineData("""[{"not": [{"exact": {"type": "x"}}]}]""", "filters[0].not", "must be an object with one dialect")]
    [InlineData("""[{"exact": {"type": "x"}}, {"all": [{"foo": 1}]}]""", "filters[1].all[0]", "unknown dialect 'foo'")]
    [InlineData("""[{"any": [{"all": [{"not": {"exact": {"type": ""}}}]}]}]""", "filters[0].any[0].all[0].not.exact.type", "value is empty")]
    [InlineData("""[{"sql": "type = "}]""", "filters[0].sql", "CESQL expression does not parse")]
    [InlineData("""[{"sql": 5}]""", "filters[0].sql", "must be a string")]
    [InlineData("""[{"sql": "  "}]""", "filters[0].sql", "expression is empty")]
    [InlineData("""[{"cel": "type =="}]""", "filters[0].cel", "CEL expression is invalid at line 1, column 8")]
    [InlineData("""[{"cel": "type == 1"}]""", "filters[0].cel", "no matching overload")]
    [InlineData("""[{"cel": "$a.(float) > 1.0"}]""", "filters[0].cel", "string, int64, uint64, bool, double")]
    [InlineData("""[{"cel": ""}]""", "filters[0].cel", "expression is empty")]
    public void Rejects_bad_filters_at_creation_saying_where_and_why(string filters, string path, string reason)
    {
        var ex = Assert.Throws<FilterDefinitionException>(() => SubscriptionFilter.Parse(filters));
        Assert.Equal(path, ex.Path);
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"Invalid filter at {path}: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_takes_the_filters_member_of_a_subscription_document()
    {
        using var doc = JsonDocument.Parse("""{"name": "hook", "filters": [{"exact": {"type": "order.created"}}, {"sql": "amount > 100"}]}""");
        var filter = SubscriptionFilter.Parse(doc.RootElement.GetProperty("filters"));
        Assert.True(filter.Matches(Order));
        Assert.False(filter.Matches(Order.WithExtension("amount", AttributeValue.FromInteger(5))));
        Assert.Equal("""[{"exact": {"type": "order.created"}}, {"sql": "amount > 100"}]""", filter.Json);
    }

    [Fact]
    public void Factories_build_the_same_document_and_behaviour()
    {
        var filter = SubscriptionFilter.All(
            SubscriptionFilter.Exact("type", "order.created"),
            SubscriptionFilter.Any(SubscriptionFilter.Prefix("source", "/shop/"), SubscriptionFilter.Suffix("source", "/test")),
            SubscriptionFilter.Not(SubscriptionFilter.Sql("amount < 100")),
            SubscriptionFilter.Cel("region.startsWith('eu')"));
        Assert.Equal(
            """[{"exact":{"type":"order.created"}},{"any":[{"prefix":{"source":"/shop/"}},{"suffix":{"source":"/test"}}]},{"not":{"sql":"amount < 100"}},{"cel":"region.startsWith('eu')"}]""",
            filter.Json);
        Assert.True(filter.Matches(Order));
        Assert.False(filter.Matches(Order.WithExtension("region", AttributeValue.FromString("us"))));
        Assert.True(SubscriptionFilter.Parse(filter.Json).Matches(Order));

        var both = SubscriptionFilter.Not(SubscriptionFilter.All(SubscriptionFilter.Exact("type", "order.created"), SubscriptionFilter.Exact("region", "eu-west")));
        Assert.Equal("""[{"not":{"all":[{"exact":{"type":"order.created"}},{"exact":{"region":"eu-west"}}]}}]""", both.Json);
        Assert.False(both.Matches(Order));

        Assert.Throws<FilterDefinitionException>(() => SubscriptionFilter.Exact("type", ""));
        Assert.Throws<ArgumentException>(() => SubscriptionFilter.Not(SubscriptionFilter.MatchAll));
        Assert.Throws<ArgumentException>(() => SubscriptionFilter.Any());
    }

    [Fact]
    public void Exact_and_prefix_on_attributes_allocate_nothing_per_event()
    {
        var exact = SubscriptionFilter.Parse("""[{"exact": {"type": "order.created", "source": "/shop/eu", "amount": "150", "priority": "true"}}]""");
        var prefix = SubscriptionFilter.Parse("""[{"prefix": {"type": "order.", "region": "eu-"}}]""");
        var suffix = SubscriptionFilter.Parse("""[{"suffix": {"subject": "/42", "time": "09Z"}}]""");
        var matched = 0;
        for (var i = 0; i < 1000; i++)
        {
            matched += (exact.Matches(Order) ? 1 : 0) + (prefix.Matches(Order) ? 1 : 0) + (suffix.Matches(Order) ? 1 : 0);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            matched += (exact.Matches(Order) ? 1 : 0) + (prefix.Matches(Order) ? 1 : 0) + (suffix.Matches(Order) ? 1 : 0);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(33_000, matched);
        Assert.Equal(0, allocated);
    }
}
