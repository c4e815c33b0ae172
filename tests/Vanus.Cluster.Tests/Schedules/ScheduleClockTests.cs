using Vanus.Operators.Timing;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Tests.Schedules;

public sealed class ScheduleClockTests
{
    private static readonly DateTimeOffset Created = new(2026, 11, 27, 16, 0, 0, 250, TimeSpan.Zero);
    private static readonly Event Template = new("ignored", "/cron", "tick");

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute, int second = 0) => new(year, month, day, hour, minute, second, TimeSpan.Zero);

    [Fact]
    public void Five_fields_fire_on_the_minute_and_six_fields_on_the_second()
    {
        var minutes = ScheduleClock.Create("*/5 * * * *", "UTC", null, Created);
        Assert.Equal(Utc(2026, 11, 27, 16, 5), minutes.NextAfter(Created));
        Assert.Equal(Utc(2026, 11, 27, 16, 10), minutes.NextAfter(Utc(2026, 11, 27, 16, 5)));

        var seconds = ScheduleClock.Create("*/10 * * * * *", "UTC", null, Created);
        Assert.Equal(Utc(2026, 11, 27, 16, 0, 10), seconds.NextAfter(Created));
    }

    [Fact]
    public void An_interval_counts_from_creation_and_its_first_occurrence_is_one_interval_later()
    {
        var clock = ScheduleClock.Create(null, "UTC", TimeSpan.FromSeconds(30), Created);
        Assert.Equal(Created.AddSeconds(30), clock.NextAfter(Created));
        Assert.Equal(Created.AddSeconds(30), clock.NextAfter(Created.AddSeconds(29.999)));
        Assert.Equal(Created.AddSeconds(60), clock.NextAfter(Created.AddSeconds(30)));
        Assert.Equal(Created.AddSeconds(30), clock.NextAfter(Created.AddDays(-1)));
    }

    [Fact]
    public void Due_counts_the_occurrences_after_the_last_one_up_to_now_and_names_the_latest()
    {
        var interval = ScheduleClock.Create(null, "UTC", TimeSpan.FromSeconds(10), Created);
        Assert.Equal((0, default), interval.Due(Created, Created.AddSeconds(9.999)));
        Assert.Equal((1, Created.AddSeconds(10)), interval.Due(Created, Created.AddSeconds(10)));
        Assert.Equal((3, Created.AddSeconds(40)), interval.Due(Created.AddSeconds(10), Created.AddSeconds(45)));
        Assert.Equal((0, default), interval.Due(Created.AddSeconds(40), Created.AddSeconds(40)));

        var cron = ScheduleClock.Create("0 * * * *", "UTC", null, Created);
        Assert.Equal((3, Utc(2026, 11, 27, 19, 0)), cron.Due(Created, Utc(2026, 11, 27, 19, 30)));
        Assert.Equal((1, Utc(2026, 11, 27, 17, 0)), cron.Due(Utc(2026, 11, 27, 16, 0), Utc(2026, 11, 27, 17, 0)));
    }

    [Fact]
    public void A_cron_in_New_York_follows_the_daylight_saving_change()
    {
        // Daylight saving time starts in New York on 2027-03-14 at 02:00 local (clocks go to 03:00).
        var nine = ScheduleClock.Create("0 9 * * *", "America/New_York", null, Utc(2027, 3, 12, 0, 0));
        Assert.Equal(Utc(2027, 3, 13, 14, 0), nine.NextAfter(Utc(2027, 3, 13, 0, 0)));
        Assert.Equal(Utc(2027, 3, 14, 13, 0), nine.NextAfter(Utc(2027, 3, 13, 14, 0)));

        // 02:30 does not exist on the 14th: it fires at the jump, 03:00 EDT.
        var skipped = ScheduleClock.Create("30 2 * * *", "America/New_York", null, Utc(2027, 3, 12, 0, 0));
        Assert.Equal(Utc(2027, 3, 13, 7, 30), skipped.NextAfter(Utc(2027, 3, 13, 0, 0)));
        Assert.Equal(Utc(2027, 3, 14, 7, 0), skipped.NextAfter(Utc(2027, 3, 13, 7, 30)));
        Assert.Equal(Utc(2027, 3, 15, 6, 30), skipped.NextAfter(Utc(2027, 3, 14, 7, 0)));

        // 01:30 happens twice on 2027-11-07 (clocks go back from 02:00 EDT to 01:00 EST): it fires once.
        var repeated = ScheduleClock.Create("30 1 * * *", "America/New_York", null, Utc(2027, 11, 6, 0, 0));
        Assert.Equal(Utc(2027, 11, 7, 5, 30), repeated.NextAfter(Utc(2027, 11, 7, 0, 0)));
        Assert.Equal(Utc(2027, 11, 8, 6, 30), repeated.NextAfter(Utc(2027, 11, 7, 5, 30)));
    }

    [Theory]
    [InlineData("* * * *", "expected 5 fields")]
    [InlineData("* * * * * * *", "got 7")]
    [InlineData("", "got 0")]
    [InlineData("61 * * * *", "is not a valid cron expression")]
    [InlineData("* * * * MONDAY", "is not a valid cron expression")]
    [InlineData("0 0 30 2 *", "never fire")]
    public void Bad_cron_expressions_say_what_is_wrong(string cron, string expected)
    {
        var problem = ScheduleClock.CheckCron(cron, "UTC");
        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("Europe/Paris")]
    [InlineData("America/New_York")]
    public void Iana_time_zones_are_taken(string zone) => Assert.Null(ScheduleClock.CheckTimeZone(zone));

    [Theory]
    [InlineData("Mars/Olympus_Mons", "is not a time zone this node knows")]
    [InlineData("", "must name an IANA time zone")]
    public void Other_time_zones_are_refused(string zone, string expected) =>
        Assert.Contains(expected, ScheduleClock.CheckTimeZone(zone), StringComparison.Ordinal);

    [Fact]
    public void A_windows_zone_name_is_refused_whether_or_not_the_machine_can_map_it() =>
        Assert.Contains("('Eastern Standard Time')", ScheduleClock.CheckTimeZone("Eastern Standard Time"), StringComparison.Ordinal);

    [Fact]
    public void A_valid_spec_has_no_problem()
    {
        Assert.Null(ScheduleChecks.Check(new ScheduleSpec("tick", "orders", Template) { Cron = "*/5 * * * *", TimeZone = "Europe/Paris" }));
        Assert.Null(ScheduleChecks.Check(new ScheduleSpec("pulse", "orders", Template) { Interval = TimeSpan.FromSeconds(1) }));
    }

    [Fact]
    public void Spec_problems_name_their_field()
    {
        ScheduleProblem? Check(ScheduleSpec spec) => ScheduleChecks.Check(spec);
        var cron = new ScheduleSpec("tick", "orders", Template) { Cron = "*/5 * * * *" };

        Assert.Equal("name", Check(cron with { Name = "__x" })?.Field);
        Assert.Equal("eventbus", Check(cron with { Eventbus = "" })?.Field);
        Assert.Equal("cron", Check(cron with { Cron = null })?.Field);
        Assert.Equal("interval", Check(cron with { Interval = TimeSpan.FromSeconds(5) })?.Field);
        Assert.Equal("cron", Check(cron with { Cron = "* * *" })?.Field);
        Assert.Equal("timezone", Check(cron with { TimeZone = "Nowhere/Land" })?.Field);
        Assert.Equal("interval", Check(cron with { Cron = null, Interval = TimeSpan.FromMilliseconds(999) })?.Field);
        Assert.Equal("interval", Check(cron with { Cron = null, Interval = TimeSpan.FromDays(367) })?.Field);
        Assert.Equal("timezone", Check(cron with { Cron = null, Interval = TimeSpan.FromSeconds(5), TimeZone = "Europe/Paris" })?.Field);
        Assert.Equal("event", Check(cron with { Event = null! })?.Field);
        var reserved = Check(cron with { Event = Template.WithExtension("xvanusdeliverytime", AttributeValue.FromString("2030-01-01T00:00:00Z")) });
        Assert.Equal("event.xvanusdeliverytime", reserved?.Field);
    }

    [Fact]
    public void The_event_id_of_an_occurrence_is_the_schedule_name_and_the_occurrence_to_the_millisecond() =>
        Assert.Equal("tick-20261127T160000250Z", ScheduleAttributes.EventId("tick", Created));
}
