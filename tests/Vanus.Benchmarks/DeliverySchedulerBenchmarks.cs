using BenchmarkDotNet.Attributes;
using Vanus.Operators.Delivery;
using Vanus.Runtime.Broker;

namespace Vanus.Benchmarks;

/// <summary>
/// The trigger's dispatch bookkeeping per item (Offer, TakeReady, Complete as delivered) with a bounded read-ahead window,
/// unordered and ordered over 1000 partition keys; the I/O of delivery is not included.
/// </summary>
[MemoryDiagnoser]
public class DeliverySchedulerBenchmarks
{
    private const int Items = 100_000;
    private const int Window = 4096;

    private readonly List<DeliveryTicket> _tickets = new(1024);
    private readonly DateTimeOffset _now = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);
    private DeliveryScheduler _unordered = null!;
    private DeliveryScheduler _ordered = null!;
    private string[] _keys = null!;

    [GlobalSetup]
    public void Setup()
    {
        _unordered = new DeliveryScheduler(DeliveryPolicy.Default);
        _ordered = new DeliveryScheduler(DeliveryPolicy.Default with { Ordered = true });
        _keys = [.. Enumerable.Range(0, 1000).Select(k => "customer-" + k)];
    }

    /// <summary>Unordered: up to 1024 in flight, items without a key.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Items)]
    public int Unordered() => Drive(_unordered, null);

    /// <summary>Ordered: one item in flight per key, 1000 keys round-robin.</summary>
    [Benchmark(OperationsPerInvoke = Items)]
    public int OrderedThousandKeys() => Drive(_ordered, _keys);

    private int Drive(DeliveryScheduler scheduler, string[]? keys)
    {
        long next = 0;
        var done = 0;
        while (done < Items)
        {
            while (next < Items && scheduler.Count < Window)
            {
                scheduler.Offer(next, keys?[next % keys.Length], _now);
                next++;
            }

            _tickets.Clear();
            scheduler.TakeReady(_now, _tickets);
            foreach (var ticket in _tickets)
            {
                scheduler.Complete(ticket.Id, DeliveryOutcome.Delivered, _now);
                done++;
            }
        }

        return done;
    }
}
