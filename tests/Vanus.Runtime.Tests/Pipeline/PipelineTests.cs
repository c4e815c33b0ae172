using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Threading.Channels;
using Vanus.Runtime.Pipeline;
using Vanus.Testing;

namespace Vanus.Runtime.Tests.Pipeline;

public class PipelineTests
{
    [Fact]
    public async Task Backpressure_holds_a_fast_source_to_a_slow_sinks_pace()
    {
        const int buffer = 4;
        long produced = 0;
        IEnumerable<long> Fast()
        {
            while (true)
            {
                yield return Interlocked.Increment(ref produced);
            }
        }

        var probe = Source.From(Fast()).Async(buffer).RunWith(TestSink.Probe<long>());
        for (var i = 1; i <= 200; i++)
        {
            Assert.Equal(i, await probe.RequestNextAsync());
            // What the source made beyond what the sink took is bounded by the buffer, one element in the producer's
            // hand and one being made: memory stays bounded however fast the source is.
            Assert.InRange(Interlocked.Read(ref produced), i, i + buffer + 2);
        }

        await probe.CancelAsync();
    }

    [Fact]
    public async Task A_fused_chain_pulls_one_element_per_request()
    {
        var source = new SourceProbe<int>();
        var sink = source.Source.RunWith(TestSink.Probe<int>());
        sink.Request(1);
        await source.ExpectRequestAsync();
        source.SendNext(7);
        Assert.Equal(7, await sink.ExpectNextAsync());
        Assert.Equal(1, source.Requested);
        sink.Request(1);
        await source.ExpectRequestAsync();
        Assert.Equal(2, source.Requested);
        source.SendComplete();
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task A_throwing_stage_fails_the_run_with_its_exception()
    {
        var run = Source.From(Enumerable.Range(1, 10))
            .Via(new ThrowingStage(at: 5))
            .RunWith(Sink.ToList<int>());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => run);
        Assert.Equal("boom at 5", error.Message);
    }

    [Fact]
    public async Task A_failure_crosses_an_async_boundary_after_the_elements_before_it()
    {
        var source = new SourceProbe<int>();
        var sink = source.Source.Async(2).RunWith(TestSink.Probe<int>());
        sink.Request(10);
        await source.ExpectRequestAsync();
        source.SendNext(1);
        source.SendError(new TimeoutException("upstream broke"));
        Assert.Equal(1, await sink.ExpectNextAsync());
        Assert.Equal("upstream broke", (await sink.ExpectErrorAsync()).Message);
    }

    [Fact]
    public async Task Cancelling_the_run_stops_every_stage()
    {
        using var cts = new CancellationTokenSource();
        var source = new SourceProbe<int>();
        var stagesFinished = 0;
        var sink = source.Source
            .Via(new ObservedStage(() => Interlocked.Increment(ref stagesFinished)))
            .Async(2)
            .Via(new ObservedStage(() => Interlocked.Increment(ref stagesFinished)))
            .To(TestSink.Probe<int>())
            .Run(cts.Token);
        sink.Request(1);
        await source.ExpectRequestAsync();
        source.SendNext(1);
        Assert.Equal(1, await sink.ExpectNextAsync());

        await cts.CancelAsync();
        await source.ExpectCancellationAsync();
        Assert.IsAssignableFrom<OperationCanceledException>(await sink.ExpectErrorAsync());
        await sink.Completion;
        Assert.Equal(2, Volatile.Read(ref stagesFinished));
    }

    [Fact]
    public async Task Cancelling_from_downstream_cancels_the_source()
    {
        var source = new SourceProbe<int>();
        var sink = source.Source.Async().RunWith(TestSink.Probe<int>());
        sink.Request(1);
        await source.ExpectRequestAsync();
        await sink.CancelAsync();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Rx_round_trip_keeps_every_element_in_order()
    {
        var result = await Observable.Range(1, 5000)
            .ToSource(bufferSize: 8)
            .Via(new AddOne())
            .ToObservable()
            .ToList();
        Assert.Equal(Enumerable.Range(2, 5000), result);
    }

    [Fact]
    public async Task Rx_errors_travel_both_ways()
    {
        var fromRx = Observable.Throw<int>(new FormatException("bad")).ToSource().RunWith(Sink.ToList<int>());
        Assert.Equal("bad", (await Assert.ThrowsAsync<FormatException>(() => fromRx)).Message);

        var toRx = Source.Failed<int>(new FormatException("worse")).ToObservable();
        Assert.Equal("worse", (await Assert.ThrowsAsync<FormatException>(async () => await toRx.ToList())).Message);
    }

    [Fact]
    public async Task Disposing_the_Rx_subscription_cancels_the_run()
    {
        var source = new SourceProbe<int>();
        var received = new List<int>();
        var subscription = source.Source.ToObservable().Subscribe(received.Add);
        await source.ExpectRequestAsync();
        source.SendNext(1);
        await source.ExpectRequestAsync();
        subscription.Dispose();
        await source.ExpectCancellationAsync();
        Assert.Equal([1], received);
    }

    [Fact]
    public async Task An_overflowing_observable_fails_the_stream_under_the_Fail_strategy()
    {
        using var subject = new Subject<int>();
        var sink = subject.ToSource(bufferSize: 4, OverflowStrategy.Fail).RunWith(TestSink.Probe<int>());
        sink.Request(1);
        Assert.True(SpinWait.SpinUntil(() => subject.HasObservers, TimeSpan.FromSeconds(10)));
        for (var i = 0; i < 10; i++)
        {
            subject.OnNext(i);
        }

        sink.Request(100);
        Exception? error = null;
        while (error is null)
        {
            try
            {
                await sink.ExpectNextAsync();
            }
            catch (InvalidOperationException e) when (e.InnerException is BufferOverflowException overflow)
            {
                error = overflow;
            }
        }

        Assert.Equal(4, ((BufferOverflowException)error).Capacity);
    }

    [Fact]
    public async Task Channels_work_as_source_and_sink()
    {
        var input = Channel.CreateUnbounded<int>();
        var output = Channel.CreateBounded<int>(2);
        var run = Source.FromChannel(input.Reader).Via(new AddOne()).RunWith(Sink.ToChannel(output.Writer));
        for (var i = 0; i < 10; i++)
        {
            input.Writer.TryWrite(i);
        }

        input.Writer.Complete();
        var all = new List<int>();
        await foreach (var x in output.Reader.ReadAllAsync())
        {
            all.Add(x);
        }

        await run;
        Assert.Equal(Enumerable.Range(1, 10), all);
    }

    [Fact]
    public async Task A_graph_is_a_blueprint_that_runs_many_times()
    {
        var graph = Source.From([1, 2, 3]).Via(Flow.Create<int>().Via(new AddOne())).To(Sink.Aggregate<int, int>(0, (a, x) => a + x));
        Assert.Equal(9, await graph.Run());
        Assert.Equal(9, await graph.Run());
        Assert.Equal(1, await Source.From([1, 2]).RunWith(Sink.First<int>()));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Source.Empty<int>().RunWith(Sink.First<int>()));
    }

    [Fact]
    public void Settings_reject_an_empty_buffer() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamSettings { BufferSize = 0 });

    private sealed class AddOne : Stage<int, int>
    {
        protected internal override async IAsyncEnumerable<int> Apply(IAsyncEnumerable<int> upstream, StreamContext context)
        {
            await foreach (var x in upstream.WithCancellation(context.CancellationToken))
            {
                yield return x + 1;
            }
        }
    }

    private sealed class ThrowingStage(int at) : Stage<int, int>
    {
        protected internal override async IAsyncEnumerable<int> Apply(IAsyncEnumerable<int> upstream, StreamContext context)
        {
            await foreach (var x in upstream.WithCancellation(context.CancellationToken))
            {
                yield return x == at ? throw new InvalidOperationException($"boom at {x}") : x;
            }
        }
    }

    private sealed class ObservedStage(Action finished) : Stage<int, int>
    {
        protected internal override async IAsyncEnumerable<int> Apply(IAsyncEnumerable<int> upstream, StreamContext context)
        {
            try
            {
                await foreach (var x in upstream.WithCancellation(context.CancellationToken))
                {
                    yield return x;
                }
            }
            finally
            {
                finished();
            }
        }
    }
}
