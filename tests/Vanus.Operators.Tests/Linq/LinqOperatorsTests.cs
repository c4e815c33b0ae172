using Microsoft.Extensions.Time.Testing;
using Vanus.Operators.Linq;
using Vanus.Runtime.Pipeline;
using Vanus.Testing;

namespace Vanus.Operators.Tests.Linq;

public class LinqOperatorsTests
{
    [Fact]
    public async Task Select_Where_SelectMany_compose_in_order()
    {
        var result = await Source.From(Enumerable.Range(1, 6))
            .Where(x => x % 2 == 0)
            .Select(x => x * 10)
            .SelectMany(x => new[] { x, x + 1 })
            .RunWith(Sink.ToList<int>());
        Assert.Equal([20, 21, 40, 41, 60, 61], result);
    }

    [Fact]
    public async Task Operators_work_on_reusable_flows()
    {
        var flow = Flow.Create<int>().Where(x => x > 1).Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)).Take(2);
        Assert.Equal(["2", "3"], await Source.From([1, 2, 3, 4]).Via(flow).RunWith(Sink.ToList<string>()));
    }

    [Fact]
    public async Task A_throwing_selector_fails_the_stream()
    {
        var run = Source.From([1, 2, 3]).Select(x => x == 2 ? throw new ArithmeticException("no 2") : x).RunWith(Sink.ToList<int>());
        Assert.Equal("no 2", (await Assert.ThrowsAsync<ArithmeticException>(() => run)).Message);
    }

    [Fact]
    public async Task Take_cancels_its_upstream_after_the_last_element()
    {
        var source = new SourceProbe<int>();
        var sink = source.Source.Take(1).RunWith(TestSink.Probe<int>());
        sink.Request(5);
        await source.ExpectRequestAsync();
        source.SendNext(9);
        await sink.ExpectNextAsync(9);
        await sink.ExpectCompleteAsync();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Buffer_by_count_emits_full_lists_and_the_remainder()
    {
        var lists = await Source.From(Enumerable.Range(1, 7)).Buffer(3).RunWith(Sink.ToList<IReadOnlyList<int>>());
        Assert.Equal([[1, 2, 3], [4, 5, 6], [7]], lists.Select(l => l.ToArray()).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Source.From([1]).Buffer(0));
    }

    [Fact]
    public async Task Buffer_by_time_emits_when_the_span_passes_on_the_runs_clock()
    {
        var clock = new FakeTimeProvider();
        var source = new SourceProbe<int>();
        var sink = source.Source.Buffer(TimeSpan.FromSeconds(5), maxCount: 100)
            .RunWith(TestSink.Probe<IReadOnlyList<int>>(), new StreamSettings { TimeProvider = clock });
        sink.Request(10);
        await source.ExpectRequestAsync();
        source.SendNext(1);
        await source.ExpectRequestAsync();
        source.SendNext(2);
        await source.ExpectRequestAsync();
        // The timer started with the first element; nothing is emitted until the fake clock reaches it.
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, sink.Received);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([1, 2], await sink.ExpectNextAsync());

        source.SendNext(3);
        await source.ExpectRequestAsync();
        source.SendComplete();
        Assert.Equal([3], await sink.ExpectNextAsync());
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Buffer_by_time_emits_early_when_the_count_is_reached()
    {
        var clock = new FakeTimeProvider();
        var lists = await Source.From(Enumerable.Range(1, 5)).Buffer(TimeSpan.FromHours(1), maxCount: 2)
            .RunWith(Sink.ToList<IReadOnlyList<int>>(), new StreamSettings { TimeProvider = clock });
        Assert.Equal([[1, 2], [3, 4], [5]], lists.Select(l => l.ToArray()).ToArray());
    }

    [Fact]
    public async Task Buffer_by_time_never_emits_an_empty_list()
    {
        var clock = new FakeTimeProvider();
        var source = new SourceProbe<int>();
        var sink = source.Source.Buffer(TimeSpan.FromSeconds(1)).RunWith(TestSink.Probe<IReadOnlyList<int>>(), new StreamSettings { TimeProvider = clock });
        sink.Request(10);
        await source.ExpectRequestAsync();
        clock.Advance(TimeSpan.FromSeconds(10));
        source.SendComplete();
        await sink.ExpectCompleteAsync();
    }
}
