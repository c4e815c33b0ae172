using BenchmarkDotNet.Attributes;
using Vanus.Operators.Timing;

namespace Vanus.Benchmarks;

/// <summary>
/// The timing wheel per timer with 1,000,000 timers pending over the next ten minutes (1 ms tick, 512 slots): schedule,
/// cancel, and schedule + expire in steady state; plus one Advance over ten idle hours with ten timers.
/// </summary>
[MemoryDiagnoser]
public class TimingWheelBenchmarks
{
    private const int Pending = 1_000_000;
    private const int Batch = 200_000;
    private const int SteadyOps = 100_000;
    private static readonly long Horizon = TimeSpan.FromMinutes(10).Ticks;

    private readonly DateTimeOffset _start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly List<Position> _expired = new(64 * 1024);
    private TimingWheel<Position> _wheel = null!;
    private TimerHandle[] _handles = null!;
    private long[] _offsets = null!;
    private int[] _cancelOrder = null!;
    private DateTimeOffset _now;
    private int _next;
    private TimingWheel<Position> _idle = null!;
    private DateTimeOffset _idleNow;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _offsets = new long[Pending];
        for (var i = 0; i < Pending; i++)
        {
            _offsets[i] = random.NextInt64(Horizon);
        }

        _cancelOrder = [.. Enumerable.Range(0, Batch).OrderBy(_ => random.Next())];
        _handles = new TimerHandle[Batch];
        _now = _start;
        _wheel = new TimingWheel<Position>(_start);
        for (var i = 0; i < Pending; i++)
        {
            _wheel.Schedule(_start + TimeSpan.FromTicks(_offsets[i]), new Position(i, i));
        }

        _idleNow = _start;
        _idle = new TimingWheel<Position>(_start);
    }

    [IterationCleanup(Target = nameof(Schedule))]
    public void CancelScheduledBatch()
    {
        foreach (var handle in _handles)
        {
            _wheel.Cancel(handle);
        }
    }

    /// <summary>Schedule one timer due within the next ten minutes, 1,000,000 already pending.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int Schedule()
    {
        for (var i = 0; i < Batch; i++)
        {
            _handles[i] = _wheel.Schedule(_now + TimeSpan.FromTicks(_offsets[i]), new Position(i, i));
        }

        return _wheel.Count;
    }

    [IterationSetup(Target = nameof(Cancel))]
    public void ScheduleBatch() => Schedule();

    /// <summary>Cancel one pending timer (in random order), 1,000,000 others pending.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int Cancel()
    {
        var cancelled = 0;
        foreach (var i in _cancelOrder)
        {
            cancelled += _wheel.Cancel(_handles[i]) ? 1 : 0;
        }

        return cancelled;
    }

    /// <summary>
    /// Schedule one timer within the next ten minutes and advance the clock by 0.6 ms (6 ms every ten timers), so that
    /// about one timer expires per timer scheduled and 1,000,000 stay pending: the whole life of a timer, cascades included.
    /// </summary>
    [Benchmark(OperationsPerInvoke = SteadyOps)]
    public int ScheduleAndExpire()
    {
        var expired = 0;
        for (var i = 0; i < SteadyOps; i++)
        {
            var offset = _offsets[_next];
            _next = _next + 1 == Pending ? 0 : _next + 1;
            _wheel.Schedule(_now + TimeSpan.FromTicks(offset), new Position(i, offset));
            if (i % 10 == 9)
            {
                _now += TimeSpan.FromMilliseconds(6);
                _expired.Clear();
                expired += _wheel.Advance(_now, _expired);
            }
        }

        return expired;
    }

    /// <summary>Schedule ten timers over the next ten hours and hand them out with a single Advance ten hours on.</summary>
    [Benchmark]
    public int AdvanceOverTenIdleHours()
    {
        // The clock moves ten hours per call; start over long before DateTimeOffset runs out.
        if (_idleNow.Year > 5000)
        {
            _idleNow = _start;
            _idle = new TimingWheel<Position>(_start);
        }

        for (var i = 1; i <= 10; i++)
        {
            _idle.Schedule(_idleNow + TimeSpan.FromHours(i) - TimeSpan.FromMilliseconds(i), new Position(i, i));
        }

        _idleNow += TimeSpan.FromHours(10);
        _expired.Clear();
        return _idle.Advance(_idleNow, _expired);
    }

    /// <summary>A 16-byte item, the size of an eventlog position.</summary>
    private readonly record struct Position(long Log, long Offset);
}
