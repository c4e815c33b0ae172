using Vanus.Operators.Windows;
using Vanus.Runtime.Pipeline;

namespace Vanus.Operators.Tests.Windows;

public class WindowOperatorsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    private sealed record Reading(int Second, int Value)
    {
        public DateTimeOffset Time => T0.AddSeconds(Second);
    }

    private static Source<Reading> Readings(params (int Second, int Value)[] items) => Source.From(items.Select(i => new Reading(i.Second, i.Value)));

    [Fact]
    public async Task Tumbling_windows_count_sum_min_and_max_by_event_time()
    {
        var input = Readings((0, 5), (3, 1), (9, 7), (10, 2), (14, 4), (25, 3));
        var size = TimeSpan.FromSeconds(10);
        var counts = await input.TumblingWindow(size, r => r.Time, Aggregation.Count<Reading>()).RunWith(Sink.ToList<Window<long>>());
        Assert.Equal([(T0, 3L), (T0.AddSeconds(10), 2L), (T0.AddSeconds(20), 1L)], counts.Select(w => (w.Start, w.Value)));
        Assert.All(counts, w => Assert.Equal(size, w.End - w.Start));

        var sums = await input.TumblingWindow(size, r => r.Time, Aggregation.Sum<Reading, int>(r => r.Value)).RunWith(Sink.ToList<Window<int>>());
        Assert.Equal([13, 6, 3], sums.Select(w => w.Value));
        var mins = await input.TumblingWindow(size, r => r.Time, Aggregation.Min<Reading, int>(r => r.Value)).RunWith(Sink.ToList<Window<int>>());
        Assert.Equal([1, 2, 3], mins.Select(w => w.Value));
        var maxes = await input.TumblingWindow(size, r => r.Time, Aggregation.Max<Reading, int>(r => r.Value)).RunWith(Sink.ToList<Window<int>>());
        Assert.Equal([7, 4, 3], maxes.Select(w => w.Value));
    }

    [Fact]
    public async Task Sliding_windows_put_an_element_in_every_window_that_covers_it()
    {
        var windows = await Readings((0, 1), (5, 1), (12, 1))
            .SlidingWindow(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), r => r.Time, Aggregation.Count<Reading>())
            .RunWith(Sink.ToList<Window<long>>());
        // Windows starting at -5, 0, 5, 10 seconds.
        Assert.Equal([(-5, 1L), (0, 2L), (5, 2L), (10, 1L)], windows.Select(w => ((int)(w.Start - T0).TotalSeconds, w.Value)));
    }

    [Fact]
    public async Task A_custom_fold_sees_each_element_of_its_window()
    {
        var windows = await Readings((1, 1), (2, 2), (11, 3))
            .TumblingWindow(TimeSpan.FromSeconds(10), r => r.Time, Aggregation.Fold<Reading, string>(() => "", (acc, r) => acc + r.Value))
            .RunWith(Sink.ToList<Window<string>>());
        Assert.Equal(["12", "3"], windows.Select(w => w.Value));
    }

    [Fact]
    public async Task Out_of_order_elements_within_the_allowance_join_their_window()
    {
        var windows = await Readings((1, 1), (12, 1), (8, 1), (30, 1))
            .TumblingWindow(TimeSpan.FromSeconds(10), r => r.Time, Aggregation.Count<Reading>(), new WindowOptions { AllowedLateness = TimeSpan.FromSeconds(5) })
            .RunWith(Sink.ToList<Window<long>>());
        Assert.Equal([2L, 1L, 1L], windows.Select(w => w.Value));
    }

    [Fact]
    public async Task A_late_element_fails_the_stream_by_default()
    {
        var run = Readings((1, 1), (25, 1), (3, 1))
            .TumblingWindow(TimeSpan.FromSeconds(10), r => r.Time, Aggregation.Count<Reading>())
            .RunWith(Sink.ToList<Window<long>>());
        var error = await Assert.ThrowsAsync<LateEventException>(() => run);
        Assert.Equal(T0.AddSeconds(3), error.EventTime);
    }

    [Fact]
    public async Task A_late_element_under_Drop_goes_to_the_callback_not_the_windows()
    {
        var late = new List<Reading>();
        var windows = await Readings((1, 1), (25, 1), (3, 1))
            .TumblingWindow(TimeSpan.FromSeconds(10), r => r.Time, Aggregation.Count<Reading>(), new WindowOptions { LateEvents = LateEventPolicy.Drop }, late.Add)
            .RunWith(Sink.ToList<Window<long>>());
        Assert.Equal([1L, 1L], windows.Select(w => w.Value));
        Assert.Equal(3, Assert.Single(late).Second);
    }

    [Fact]
    public void Bad_window_shapes_are_rejected()
    {
        var source = Readings((0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => source.TumblingWindow(TimeSpan.Zero, r => r.Time, Aggregation.Count<Reading>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => source.SlidingWindow(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), r => r.Time, Aggregation.Count<Reading>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WindowOptions { AllowedLateness = TimeSpan.FromSeconds(-1) });
    }
}
