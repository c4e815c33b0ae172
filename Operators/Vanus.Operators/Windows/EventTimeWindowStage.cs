using System.Runtime.CompilerServices;
using Vanus.Runtime.Pipeline;

namespace Vanus.Operators.Windows;

/// <summary>
/// Sliding (and, with slide = size, tumbling) windows over event time, aligned to the Unix epoch. The watermark is the
/// latest event time seen minus the allowed lateness; a window is emitted once the watermark reaches its end, in
/// order of start, and every open window is emitted when the upstream completes.
/// </summary>
internal sealed class EventTimeWindowStage<T, TAcc, TResult>(
    TimeSpan size,
    TimeSpan slide,
    Func<T, DateTimeOffset> eventTime,
    Aggregation<T, TAcc, TResult> aggregation,
    WindowOptions options,
    Action<T>? onLate) : Stage<T, Window<TResult>>
{
    protected override IAsyncEnumerable<Window<TResult>> Apply(IAsyncEnumerable<T> upstream, StreamContext context) => Run(upstream, context.CancellationToken);

    private async IAsyncEnumerable<Window<TResult>> Run(IAsyncEnumerable<T> upstream, [EnumeratorCancellation] CancellationToken ct)
    {
        var open = new SortedDictionary<long, (long Count, TAcc Acc)>();
        var maxSeen = long.MinValue;
        var sizeTicks = size.Ticks;
        var slideTicks = slide.Ticks;
        var lateness = options.AllowedLateness.Ticks;
        var ready = new List<Window<TResult>>();

        await foreach (var item in upstream.WithCancellation(ct).ConfigureAwait(false))
        {
            var t = eventTime(item).UtcTicks;
            var watermark = maxSeen == long.MinValue ? long.MinValue : maxSeen - lateness;
            var late = false;
            // Every window [s, s + size) with s a multiple of slide that contains t, newest first.
            for (var start = FloorTo(t, slideTicks); start > t - sizeTicks; start -= slideTicks)
            {
                if (start + sizeTicks <= watermark)
                {
                    late = true;
                    continue;
                }

                var window = open.TryGetValue(start, out var w) ? w : (0, aggregation.Seed());
                open[start] = (window.Count + 1, aggregation.Add(window.Acc, item));
            }

            if (late)
            {
                if (options.LateEvents == LateEventPolicy.Fail)
                {
                    throw new LateEventException(new DateTimeOffset(t, TimeSpan.Zero), new DateTimeOffset(watermark, TimeSpan.Zero), options.AllowedLateness);
                }

                onLate?.Invoke(item);
            }

            if (t > maxSeen)
            {
                maxSeen = t;
                Close(open, maxSeen - lateness, ready);
                foreach (var window in ready)
                {
                    yield return window;
                }

                ready.Clear();
            }
        }

        Close(open, long.MaxValue, ready);
        foreach (var window in ready)
        {
            yield return window;
        }
    }

    private void Close(SortedDictionary<long, (long Count, TAcc Acc)> open, long watermark, List<Window<TResult>> ready)
    {
        while (open.Count > 0)
        {
            var (start, state) = open.First();
            if (watermark != long.MaxValue && start + size.Ticks > watermark)
            {
                break;
            }

            open.Remove(start);
            ready.Add(new Window<TResult>(new DateTimeOffset(start, TimeSpan.Zero), new DateTimeOffset(start + size.Ticks, TimeSpan.Zero), state.Count, aggregation.Result(state.Acc)));
        }
    }

    private static long FloorTo(long ticks, long step)
    {
        // Unix-epoch alignment, as Flink and Kafka Streams align windows.
        var sinceEpoch = ticks - DateTimeOffset.UnixEpoch.UtcTicks;
        var floored = sinceEpoch - (((sinceEpoch % step) + step) % step);
        return floored + DateTimeOffset.UnixEpoch.UtcTicks;
    }
}
