using System.Text;
using Vanus.Cli.Client;
using Vanus.Client;

namespace Vanus.Cli.Tests;

public sealed class ContractReaderTests
{
    private static ApiAnswer Reply(string json, int status = 200) => new("GET", "api/v1/namespaces/default/eventbuses", status, "OK", "application/json", Encoding.UTF8.GetBytes(json), null);

    [Theory]
    [InlineData("""[{"name":"a","eventlogs":[{"id":0,"earliest":1,"next":5}]},{"name":"b","eventlogs":[]}]""")]
    [InlineData("""{"eventbuses":[{"name":"a","eventlogs":[{"id":0,"earliest":1,"next":5}]},{"name":"b","eventlogs":[]}]}""")]
    public void ReadEventbusList_reads_a_bare_or_wrapped_array(string json)
    {
        var buses = ContractReader.ReadEventbusList(Reply(json));

        Assert.Equal(["a", "b"], buses.Select(b => b.Name));
        var log = Assert.Single(buses[0].Eventlogs!);
        Assert.Equal((0, 1L, 5L), (log.Id, log.Earliest, log.Next));
    }

    [Fact]
    public void ReadEventbus_keeps_members_the_contract_leaves_open()
    {
        var bus = ContractReader.ReadEventbus(Reply("""{"name":"a","sync":"none","retention":{"age":"7d","bytes":null},"createdAt":"2026-01-01T00:00:00Z","eventlogs":[]}"""));

        Assert.Equal("none", ContractReader.Cell(bus.Other!["sync"]));
        Assert.Equal("age=7d", ContractReader.Cell(bus.Other!["retention"]));
        Assert.Equal("2026-01-01T00:00:00Z", ContractReader.Cell(bus.Other!["createdAt"]));
    }

    [Theory]
    [InlineData("""{"offsets":[{"eventlog":0,"offset":4},{"eventlog":1,"offset":9}]}""")]
    [InlineData("""[{"eventlog":0,"offset":4},{"eventlog":1,"offset":9}]""")]
    [InlineData("""{"offsets":[{"id":0,"offset":4},{"id":1,"offset":9}]}""")]
    [InlineData("""{"offsets":[4,9]}""")]
    [InlineData("""[4,9]""")]
    public void ReadOffsets_reads_each_shape_the_contract_allows(string json)
    {
        var offsets = ContractReader.ReadOffsets(Reply(json));

        Assert.Equal([new OffsetView(0, 4), new OffsetView(1, 9)], offsets);
    }

    [Theory]
    [InlineData("""{"offsets":"4"}""")]
    [InlineData("""{"offsets":[{"offset":4}]}""")]
    [InlineData("""[true]""")]
    [InlineData("""not json""")]
    public void ReadOffsets_refuses_other_shapes_with_the_body_shown(string json)
    {
        var e = Assert.Throws<UnexpectedReplyException>(() => ContractReader.ReadOffsets(Reply(json)));

        Assert.Contains(json, e.Message);
    }

    [Fact]
    public void ReadEvents_reads_a_batch_or_one_event_with_text_json_and_binary_data()
    {
        var batch = ContractReader.ReadEvents(Reply("""[{"id":"1","data":"text"},{"id":"2","data":{"a":1}},{"id":"3","data_base64":"AQI="},{"id":"4"}]"""));
        var one = ContractReader.ReadEvents(Reply("""{"specversion":"1.0","id":"x","xvanusoffset":7}"""));

        Assert.Equal(["text", """{"a":1}"""], batch.Take(2).Select(e => Encoding.UTF8.GetString(e.Data!)));
        Assert.True(batch[1].DataIsText);
        Assert.Equal([1, 2], batch[2].Data);
        Assert.False(batch[2].DataIsText);
        Assert.Null(batch[3].Data);
        Assert.Equal("7", Assert.Single(one)["xvanusoffset"]);
    }

    [Fact]
    public void ReadIngestReply_requires_the_events_member()
    {
        Assert.Throws<UnexpectedReplyException>(() => ContractReader.ReadIngestReply(Reply("""{"stored":[]}""")));
        var reply = ContractReader.ReadIngestReply(Reply("""{"events":[{"id":"a","eventId":"e","deliverytime":"2026-01-01T00:00:00Z"}]}"""));

        Assert.Equal("2026-01-01T00:00:00Z", Assert.Single(reply.Events!).DeliveryTime);
    }

    [Fact]
    public void TryReadProblem_returns_null_for_a_body_that_is_not_json()
    {
        Assert.Null(ContractReader.TryReadProblem(Reply("<html/>", 500)));
        Assert.Null(ContractReader.TryReadProblem(Reply("", 500)));
        Assert.Equal("t", ContractReader.TryReadProblem(Reply("""{"title":"t","x":1}""", 400))!.Title);
    }
}
