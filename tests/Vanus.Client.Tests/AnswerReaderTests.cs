using System.Text.Json;
using Vanus.Client.Http;

namespace Vanus.Client.Tests;

public sealed class AnswerReaderTests
{
    private static SubscriptionStatus Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return AnswerReader.Subscription(document.RootElement, "");
    }

    [Fact]
    public void Status_members_may_sit_under_status_and_counts_are_taken_as_given()
    {
        var status = Read("""
            {"name":"s","eventbus":"b","protocol":"pull",
             "status":{"state":"Running","delivered":7,"failed":1,"deadLettered":0,"dropped":0,
                       "lastError":{"error":"timeout","time":"2026-11-27T16:00:00.25Z"},
                       "eventlogs":[{"id":3,"committed":5,"lag":2}]}}
            """);

        Assert.Equal(SubscriptionState.Running, status.State);
        Assert.Null(status.Sink);
        Assert.Equal(7, status.Delivered);
        Assert.Equal(new EventlogProgress(3, 5, null, 2, 0, 0, 0, 0, 0, null), Assert.Single(status.Eventlogs));
        Assert.Equal("timeout", status.LastError!.Message);
    }

    [Fact]
    public void The_newest_eventlog_error_stands_in_for_a_missing_last_error_and_lag_is_computed()
    {
        var status = Read("""
            {"name":"s","eventbus":"b","state":"starting",
             "eventlogs":[{"eventlog":0,"committed":9,"next":5,"lastError":"connection refused"},
                          {"eventlog":1,"committed":0,"next":4,"lastError":{"message":"newer","time":"2026-11-27T16:00:00Z"}}]}
            """);

        Assert.Equal(SubscriptionState.Unknown, status.State);
        Assert.Equal([0L, 4L], status.Eventlogs.Select(e => e.Lag));
        Assert.Equal("newer", status.LastError!.Message);
    }

    [Theory]
    [InlineData("""{"eventbus":"b"}""", "'name' is missing")]
    [InlineData("""{"name":"s","eventbus":"b","eventlogs":{}}""", "'eventlogs' must be an array")]
    [InlineData("""{"name":"s","eventbus":"b","eventlogs":[{"committed":1}]}""", "'eventlogs[0].eventlog' is missing")]
    [InlineData("""{"name":"s","eventbus":"b","lastError":{"message":"x","time":"yesterday"}}""", "'lastError.time' is not an RFC 3339 time")]
    [InlineData("""{"name":"s","eventbus":"b","status":{"eventlogs":[{"eventlog":0}]}}""", "'status.eventlogs[0].committed' is missing")]
    public void Malformed_status_names_the_member(string json, string expected) =>
        Assert.Contains(expected, Assert.Throws<FormatException>(() => Read(json)).Message);
}
