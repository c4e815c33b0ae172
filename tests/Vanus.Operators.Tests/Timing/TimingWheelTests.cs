using Vanus.Operators.Timing;
using Xunit.Abstractions;

namespace Vanus.Operators.Tests.Timing;

public sealed class TimingWheelTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset Ms(double milliseconds) => Start + TimeSpan.FromMilliseconds(milliseconds);

    [Theory]
    [InlineData(0L)]
    [InlineData(-10_000L)]
    [InlineData(36_000_000_001L)]
    public void Constructor_rejects_a_tick_outside_100ns_to_one_hour(long tickTicks)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TimingWheel<int>(Start, TimeSpan.FromTicks(tickTicks)));
        Assert.Equal("tick", error.ParamName);
        Assert.Contains("between 100 ns", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(65_537)]
    public void Constructor_rejects_a_slot_count_outside_2_to_65536(int slots)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TimingWheel<int>(Start, slots: slots));
        Assert.Equal("slots", error.ParamName);
        Assert.Contains("between 2 and 65536 slots", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Advance_with_a_null_list_throws()
    {
        var wheel = new TimingWheel<int>(Start);
        Assert.Throws<ArgumentNullException>(() => wheel.Advance(Start, null!));
    }

    [Fact]
    public void Every_timer_fires_at_its_millisecond_never_earlier_never_later()
    {
        var model = new Model(new TimingWheel<Timer>(Start), Start);
        var random = new Random(7);
        for (var i = 0; i < 5_000; i++)
        {
            model.Schedule(Ms(1 + random.Next(3_000)));
        }

        // 1 ms steps: each timer must come out exactly at the Advance whose time equals its due time.
        for (var t = 1; t <= 3_001; t++)
        {
            model.Advance(Ms(t));
        }

        Assert.Equal(5_000, model.Fired);
        Assert.Equal(0, model.Wheel.Count);
        Assert.Equal(0, model.MaxLatenessTicks);
    }

    [Fact]
    public void Timers_within_a_tick_wait_for_their_exact_time_and_come_out_in_due_order()
    {
        var wheel = new TimingWheel<string>(Start);
        var list = new List<string>();
        wheel.Schedule(Ms(10.9), "c");
        wheel.Schedule(Ms(10.1), "a");
        wheel.Schedule(Ms(10.5), "b");
        wheel.Schedule(Ms(12), "d");

        Assert.Equal(0, wheel.Advance(Ms(10), list));
        Assert.Equal(1, wheel.Advance(Ms(10.3), list));
        Assert.Equal(new[] { "a" }, list);
        Assert.Equal(Ms(10.5), wheel.NextDue);

        list.Clear();
        wheel.Schedule(Ms(10.7), "b2");
        Assert.Equal(3, wheel.Advance(Ms(11), list));
        Assert.Equal(new[] { "b", "b2", "c" }, list);
        Assert.Equal(1, wheel.Count);
    }

    [Fact]
    public void Timers_minutes_and_hours_ahead_cascade_down_and_fire_on_time_in_small_and_large_steps()
    {
        var dues = new[]
        {
            TimeSpan.FromSeconds(0.6), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(4.5),
            TimeSpan.FromMinutes(5) + TimeSpan.FromTicks(1), TimeSpan.FromHours(1), TimeSpan.FromHours(3) + TimeSpan.FromMilliseconds(17),
            TimeSpan.FromHours(37.3), TimeSpan.FromHours(40),
        };

        foreach (var step in new[] { TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(7.3), TimeSpan.FromSeconds(13), TimeSpan.FromMinutes(17) })
        {
            var model = new Model(new TimingWheel<Timer>(Start), Start);
            foreach (var due in dues)
            {
                model.Schedule(Start + due);
            }

            var levelsBefore = model.Wheel.Levels;
            var end = Start + TimeSpan.FromHours(41);
            var now = Start;
            var big = new Random(3);
            while (now < end)
            {
                // Small steps through the two seconds around each due time, jumps of varying size in between, so that
                // 41 hours take thousands of Advances rather than millions.
                var nextDue = dues.Select(d => Start + d).Where(d => d > now).DefaultIfEmpty(end).Min();
                now = nextDue - now > TimeSpan.FromSeconds(1)
                    ? now + TimeSpan.FromTicks(big.NextInt64((nextDue - now - TimeSpan.FromSeconds(1)).Ticks) + 1)
                    : now + step;
                model.Advance(now);
            }

            Assert.Equal(dues.Length, model.Fired);
            Assert.Equal(0, model.Wheel.Count);
            Assert.Equal(4, levelsBefore);
        }
    }

    [Fact]
    public void Far_future_timers_go_to_overflow_levels_created_on_demand()
    {
        var model = new Model(new TimingWheel<Timer>(Start), Start);
        Assert.Equal(1, model.Wheel.Levels);

        model.Schedule(Start + TimeSpan.FromDays(2));
        Assert.Equal(4, model.Wheel.Levels);
        model.Schedule(Start + TimeSpan.FromDays(400));
        model.Schedule(Start + TimeSpan.FromDays(365.25 * 50) + TimeSpan.FromMilliseconds(3));
        model.Schedule(new DateTimeOffset(9000, 1, 1, 0, 0, 0, TimeSpan.Zero));
        model.Schedule(DateTimeOffset.MaxValue);
        Assert.Equal(6, model.Wheel.Levels);

        // Day steps, then one jump to the end of time.
        var now = Start;
        for (var day = 0; day < 20_000; day++)
        {
            now += TimeSpan.FromDays(1);
            model.Advance(now);
        }

        Assert.Equal(3, model.Fired);
        model.Advance(DateTimeOffset.MaxValue);
        Assert.Equal(5, model.Fired);
        Assert.Equal(0, model.Wheel.Count);
        Assert.Null(model.Wheel.NextDue);
    }

    [Fact]
    public void Timers_years_ahead_fire_on_their_millisecond_when_the_owner_wakes_at_NextDue()
    {
        var model = new Model(new TimingWheel<Timer>(Start), Start);
        var random = new Random(11);
        var count = 2_000;
        for (var i = 0; i < count; i++)
        {
            // Log-uniform horizons from a millisecond to ten years, at millisecond resolution.
            var ms = Math.Round(Math.Exp(random.NextDouble() * Math.Log(TimeSpan.FromDays(3650).TotalMilliseconds)));
            model.Schedule(Ms(ms));
        }

        var wakeups = 0;
        while (model.Wheel.NextDue is { } next)
        {
            wakeups++;
            model.Advance(next);
        }

        Assert.Equal(count, model.Fired);
        Assert.Equal(0, model.MaxLatenessTicks);

        // Each wake-up either expires timers or cascades a bucket a level down: never more than one per level per timer.
        Assert.True(wakeups <= count * model.Wheel.Levels, $"{wakeups} wake-ups for {count} timers");
        output.WriteLine($"{wakeups} wake-ups for {count} timers over 10 years, {model.Wheel.Levels} levels");
    }

    [Fact]
    public void NextDue_is_null_when_empty_and_ignores_buckets_emptied_by_cancel()
    {
        var wheel = new TimingWheel<int>(Start);
        Assert.Null(wheel.NextDue);

        var early = wheel.Schedule(Ms(100), 1);
        var late = wheel.Schedule(Start + TimeSpan.FromHours(2), 2);
        Assert.Equal(Ms(100), wheel.NextDue);

        Assert.True(wheel.Cancel(early));

        // Two hours ahead sits in level 2, whose buckets span 512 * 512 ms; NextDue is that bucket's start.
        var twoHours = (Start + TimeSpan.FromHours(2)).UtcTicks;
        var levelTwoBucket = TimeSpan.TicksPerMillisecond * 512L * 512;
        Assert.Equal(new DateTimeOffset(twoHours - (twoHours % levelTwoBucket), TimeSpan.Zero), wheel.NextDue);

        Assert.True(wheel.Cancel(late));
        Assert.Null(wheel.NextDue);
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void Cancel_removes_a_pending_timer_once_and_misses_expired_default_and_stale_handles()
    {
        var wheel = new TimingWheel<int>(Start);
        var list = new List<int>();
        var a = wheel.Schedule(Ms(5), 1);
        var b = wheel.Schedule(Ms(5), 2);
        Assert.Equal(2, wheel.Count);

        Assert.True(wheel.Cancel(a));
        Assert.False(wheel.Cancel(a));
        Assert.False(wheel.Cancel(default));
        Assert.False(wheel.Cancel(new TimerHandle(int.MaxValue, 1)));
        Assert.False(wheel.Cancel(new TimerHandle(0, -1)));
        Assert.Equal(1, wheel.Count);

        // The freed node is reused: the old handle must not cancel the new timer.
        var c = wheel.Schedule(Ms(6), 3);
        Assert.Equal(a.Index, c.Index);
        Assert.False(wheel.Cancel(a));

        wheel.Advance(Ms(10), list);
        Assert.Equal(new[] { 2, 3 }, list);
        Assert.False(wheel.Cancel(b));
        Assert.False(wheel.Cancel(c));
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void Cancel_after_the_timer_cascaded_down_a_level_removes_it()
    {
        var wheel = new TimingWheel<int>(Start);
        var list = new List<int>();
        var hour = wheel.Schedule(Start + TimeSpan.FromHours(1), 1);
        var kept = wheel.Schedule(Start + TimeSpan.FromHours(1), 2);
        var flushedBefore = wheel.BucketsFlushed;

        // Close enough that both cascaded from level 2 to level 0.
        Assert.Equal(0, wheel.Advance(Start + TimeSpan.FromHours(1) - TimeSpan.FromMilliseconds(0.5), list));
        Assert.True(wheel.BucketsFlushed >= flushedBefore + 2);

        Assert.True(wheel.Cancel(hour));
        Assert.False(wheel.Cancel(hour));
        wheel.Advance(Start + TimeSpan.FromHours(2), list);
        Assert.Equal(new[] { 2 }, list);
        Assert.False(wheel.Cancel(kept));
    }

    [Fact]
    public void Timers_due_in_the_past_or_now_expire_at_the_next_Advance()
    {
        var wheel = new TimingWheel<string>(Start);
        var list = new List<string>();
        wheel.Schedule(Start - TimeSpan.FromHours(3), "past");
        wheel.Schedule(Start, "now");
        wheel.Schedule(DateTimeOffset.MinValue, "minimum");
        wheel.Schedule(Start + TimeSpan.FromMilliseconds(0.3), "in this tick");
        Assert.Equal(DateTimeOffset.MinValue, wheel.NextDue);

        Assert.Equal(3, wheel.Advance(Start, list));
        Assert.Equal(new[] { "minimum", "past", "now" }, list);

        list.Clear();
        wheel.Advance(Ms(0.3), list);
        Assert.Equal(new[] { "in this tick" }, list);

        // Scheduled after the wheel moved on, due before its time.
        list.Clear();
        wheel.Advance(Ms(50), list);
        wheel.Schedule(Ms(20), "late");
        wheel.Schedule(Ms(50), "at wheel time");
        Assert.Equal(2, wheel.Advance(Ms(50), list));
        Assert.Equal(new[] { "late", "at wheel time" }, list);
    }

    [Fact]
    public void Advance_to_an_earlier_time_does_not_move_the_wheel_back_or_expire_anything_early()
    {
        var wheel = new TimingWheel<int>(Start);
        var list = new List<int>();
        wheel.Advance(Ms(1_000), list);
        wheel.Schedule(Ms(900), 1);
        wheel.Schedule(Ms(1_000.5), 2);
        wheel.Schedule(Ms(2_000), 3);

        Assert.Equal(0, wheel.Advance(Ms(800), list));
        Assert.Equal(Ms(1_000), wheel.Time);
        Assert.Equal(1, wheel.Advance(Ms(950), list));
        Assert.Equal(new[] { 1 }, list);
        Assert.Equal(3, wheel.Count + list.Count);

        list.Clear();
        wheel.Advance(Ms(2_000), list);
        Assert.Equal(new[] { 2, 3 }, list);
    }

    [Fact]
    public void One_Advance_over_ten_idle_hours_returns_the_few_timers_in_order_and_touches_only_their_buckets()
    {
        var wheel = new TimingWheel<int>(Start);
        var list = new List<int>();
        wheel.Schedule(Start + TimeSpan.FromHours(9) + TimeSpan.FromMinutes(59), 3);
        wheel.Schedule(Start + TimeSpan.FromHours(1), 1);
        wheel.Schedule(Start + TimeSpan.FromHours(5) + TimeSpan.FromMilliseconds(1), 2);
        wheel.Schedule(Start + TimeSpan.FromHours(10) + TimeSpan.FromMilliseconds(1), 4);

        Assert.Equal(3, wheel.Advance(Start + TimeSpan.FromHours(10), list));
        Assert.Equal(new[] { 1, 2, 3 }, list);
        Assert.Equal(1, wheel.Count);

        // 36 million ticks passed; the work is a few cascades per timer (three levels at most), not one per tick.
        Assert.InRange(wheel.BucketsFlushed, 1, 3 * 4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Random_schedule_cancel_and_advance_match_a_sorted_list_model(int seed)
    {
        var random = new Random(seed);

        // Small wheels cascade and overflow far more often for the same horizons.
        var slots = seed % 2 == 0 ? 512 : 2 + random.Next(8);
        var tick = seed % 3 == 0 ? TimeSpan.FromTicks(1 + random.Next(100)) : TimeSpan.FromMilliseconds(1);
        var wheel = new TimingWheel<Timer>(Start, tick, slots);
        var pending = new Dictionary<int, (long Due, TimerHandle Handle)>();
        var gone = new List<TimerHandle>();
        var list = new List<Timer>();
        var now = Start;
        var nextId = 0;

        for (var op = 0; op < 20_000; op++)
        {
            var roll = random.Next(100);
            if (roll < 50)
            {
                var due = now + RandomOffset(random);
                var id = nextId++;
                pending[id] = (due.UtcTicks, wheel.Schedule(due, new Timer(id, due.UtcTicks)));
            }
            else if (roll < 65)
            {
                if (pending.Count > 0 && random.Next(4) > 0)
                {
                    var id = pending.Keys.ElementAt(random.Next(pending.Count));
                    Assert.True(wheel.Cancel(pending[id].Handle));
                    gone.Add(pending[id].Handle);
                    pending.Remove(id);
                }
                else if (gone.Count > 0)
                {
                    Assert.False(wheel.Cancel(gone[random.Next(gone.Count)]));
                }
            }
            else
            {
                if (wheel.NextDue is { } next && random.Next(5) == 0)
                {
                    // The owner's way: wake exactly at NextDue, which no pending timer precedes.
                    Assert.True(pending.Count == 0 || next.UtcTicks <= pending.Values.Min(p => p.Due));
                    now = next > now ? next : now;
                }
                else
                {
                    now += RandomStep(random);
                }

                list.Clear();
                wheel.Advance(now, list);
                var expected = pending.Where(p => p.Value.Due <= now.UtcTicks).OrderBy(p => p.Value.Due).ToList();
                Assert.Equal(expected.Select(p => p.Value.Due), list.Select(t => t.Due));
                Assert.Equal(expected.Select(p => p.Key).Order(), list.Select(t => t.Id).Order());
                foreach (var (id, (_, handle)) in expected)
                {
                    gone.Add(handle);
                    pending.Remove(id);
                }
            }

            Assert.Equal(pending.Count, wheel.Count);
            Assert.Equal(pending.Count == 0, wheel.NextDue is null);
        }
    }

    [Fact]
    public void A_million_timers_over_ten_minutes_each_expire_once_and_never_early()
    {
        const int Timers = 1_000_000;
        var random = new Random(42);
        var dues = new long[Timers];
        var wheel = new TimingWheel<Position>(Start);

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < Timers; i++)
        {
            // Sub-millisecond due times so that timers share ticks and need ordering within them.
            var due = Start + TimeSpan.FromTicks(random.NextInt64(TimeSpan.FromMinutes(10).Ticks));
            dues[i] = due.UtcTicks;
            wheel.Schedule(due, new Position(i, due.UtcTicks));
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var retained = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        output.WriteLine($"{Timers:N0} pending timers of a 16-byte item: {(double)allocated / Timers:F1} bytes allocated per timer, {(double)retained / Timers:F1} bytes retained per timer (GC.GetTotalMemory)");
        Assert.True(allocated < 48L * Timers, $"{allocated} bytes allocated for {Timers} timers");
        Assert.Equal(Timers, wheel.Count);

        var order = Enumerable.Range(0, Timers).ToArray();
        Array.Sort(dues.ToArray(), order);
        var fired = new bool[Timers];
        var cursor = 0;
        var list = new List<Position>(64 * 1024);
        var now = Start;
        var end = Start + TimeSpan.FromMinutes(10) + TimeSpan.FromMilliseconds(100);
        var firedCount = 0;
        while (now < end)
        {
            now += TimeSpan.FromMilliseconds(1 + random.Next(100));
            list.Clear();
            wheel.Advance(now, list);
            var last = long.MinValue;
            foreach (var position in list)
            {
                var id = (int)position.Log;
                Assert.False(fired[id]);
                fired[id] = true;
                Assert.True(dues[id] <= now.UtcTicks);
                Assert.True(dues[id] >= last);
                last = dues[id];
            }

            firedCount += list.Count;

            // Complete: everything due by now came out, at this Advance or an earlier one.
            while (cursor < Timers && dues[order[cursor]] <= now.UtcTicks)
            {
                Assert.True(fired[order[cursor]]);
                cursor++;
            }

            Assert.Equal(cursor, firedCount);
        }

        Assert.Equal(Timers, firedCount);
        Assert.Equal(0, wheel.Count);
    }

    private static TimeSpan RandomOffset(Random random) => random.Next(10) switch
    {
        0 => -TimeSpan.FromTicks(random.NextInt64(TimeSpan.TicksPerHour)),
        1 => TimeSpan.Zero,
        2 => TimeSpan.FromTicks(random.Next((int)TimeSpan.TicksPerMillisecond)),
        3 or 4 => TimeSpan.FromMilliseconds(random.Next(600)),
        5 or 6 => TimeSpan.FromMilliseconds(random.Next(600_000)),
        7 => TimeSpan.FromTicks(random.NextInt64(TimeSpan.TicksPerDay)),
        8 => TimeSpan.FromTicks(random.NextInt64(TimeSpan.TicksPerDay * 365 * 20)),
        _ => TimeSpan.FromMilliseconds(random.Next(5_000) / 10.0),
    };

    private static TimeSpan RandomStep(Random random) => random.Next(10) switch
    {
        0 => TimeSpan.Zero,
        1 => TimeSpan.FromTicks(1 + random.Next(10_000)),
        2 or 3 or 4 => TimeSpan.FromMilliseconds(1 + random.Next(100)),
        5 or 6 => TimeSpan.FromMilliseconds(random.Next(60_000)),
        7 => TimeSpan.FromTicks(random.NextInt64(TimeSpan.TicksPerHour * 2)),
        8 => TimeSpan.FromTicks(random.NextInt64(TimeSpan.TicksPerDay * 400)),
        _ => -TimeSpan.FromMilliseconds(random.Next(1_000)),
    };

    /// <summary>A timer that remembers its id and due time, so every expiry can be checked.</summary>
    private readonly record struct Timer(int Id, long Due);

    /// <summary>The 16-byte item the timer service is meant to hold: where an event is stored.</summary>
    private readonly record struct Position(long Log, long Offset);

    /// <summary>Drives a wheel and checks each Advance: nothing early, nothing twice, nothing due left behind, due order.</summary>
    private sealed class Model(TimingWheel<Timer> wheel, DateTimeOffset start)
    {
        private readonly List<Timer> _pending = [];
        private readonly HashSet<int> _fired = [];
        private readonly List<Timer> _list = [];
        private DateTimeOffset _now = start;

        public TimingWheel<Timer> Wheel { get; } = wheel;

        public int Fired => _fired.Count;

        public long MaxLatenessTicks { get; private set; }

        public void Schedule(DateTimeOffset due)
        {
            var timer = new Timer(_pending.Count + _fired.Count, due.UtcTicks);
            _pending.Add(timer);
            Wheel.Schedule(due, timer);
        }

        public void Advance(DateTimeOffset now)
        {
            _list.Clear();
            var returned = Wheel.Advance(now, _list);
            Assert.Equal(returned, _list.Count);
            var last = long.MinValue;
            foreach (var timer in _list)
            {
                Assert.True(timer.Due <= now.UtcTicks, $"timer due {timer.Due} came out early at {now.UtcTicks}");
                Assert.True(_fired.Add(timer.Id), $"timer {timer.Id} came out twice");
                Assert.True(timer.Due >= last, "timers came out of due order");
                last = timer.Due;
                MaxLatenessTicks = Math.Max(MaxLatenessTicks, now.UtcTicks - Math.Max(timer.Due, _now.UtcTicks));
            }

            _pending.RemoveAll(t => _fired.Contains(t.Id));
            Assert.DoesNotContain(_pending, t => t.Due <= now.UtcTicks);
            Assert.Equal(_pending.Count, Wheel.Count);
            _now = now > _now ? now : _now;
        }
    }
}
