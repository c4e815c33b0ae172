using System.Collections.Concurrent;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Timers;

/// <summary>Where each timer actor of the node posts its counts, so the node can answer <see cref="ITimerService.Stats"/> without asking actors.</summary>
internal sealed class TimerBoard : ITimerService
{
    private readonly ConcurrentDictionary<string, TimerStats> _byEntity = new(StringComparer.Ordinal);
    private int _expected;

    /// <summary>How many timer eventlogs the node serves; the service is ready once each has posted a ready count.</summary>
    public void Expect(int eventlogs) => Volatile.Write(ref _expected, eventlogs);

    public void Post(string entityId, TimerStats stats) => _byEntity[entityId] = stats;

    public void Remove(string entityId) => _byEntity.TryRemove(entityId, out _);

    public TimerStats Stats
    {
        get
        {
            long pending = 0, inMemory = 0, fired = 0, dropped = 0;
            var ready = 0;
            foreach (var stats in _byEntity.Values)
            {
                pending += stats.Pending;
                inMemory += stats.InMemory;
                fired += stats.Fired;
                dropped += stats.Dropped;
                ready += stats.Ready ? 1 : 0;
            }

            return new TimerStats(pending, inMemory, fired, dropped, ready >= Volatile.Read(ref _expected));
        }
    }
}
