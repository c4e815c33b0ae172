using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Vanus.Runtime.Events;

namespace Vanus.Testing.Fakes;

/// <summary>
/// The fake node's timer service: an event whose delivery time is after <see cref="Clock"/> is held and answered with its
/// delivery time, and <c>/metrics</c> reports the held count and a resident memory that grows by a fixed amount per timer.
/// </summary>
public sealed partial class FakeNode
{
    private readonly List<HeldEvent> _held = [];

    /// <summary>
    /// When set, each <c>GET</c> of an eventbus first appends every event held for it, in delivery-time order, each stored
    /// at its delivery time plus what this answers for it (null: the timer is lost and the event never arrives).
    /// </summary>
    public Func<Event, TimeSpan?>? FireHeldOnPoll { get; set; }

    /// <summary>The resident memory <c>/metrics</c> reports with no timer held.</summary>
    public long ResidentBaseBytes { get; set; } = 150_000_000;

    /// <summary>The resident memory <c>/metrics</c> adds per held timer.</summary>
    public long BytesPerHeldTimer { get; set; } = 48;

    /// <summary>Whether <c>/metrics</c> has the timer figures (a node without a timer service has none).</summary>
    public bool ExportsTimers { get; set; } = true;

    /// <summary>Events held for later, in the order they were accepted.</summary>
    public IReadOnlyList<(string Eventbus, Event Event, DateTimeOffset Due)> Held
    {
        get
        {
            lock (_lock)
            {
                return [.. _held.Select(h => (h.Bus.Name, h.Event, h.Due))];
            }
        }
    }

    /// <summary>Holds an event (the caller holds the lock); answers its timer entry's number.</summary>
    private long Hold(Bus bus, Event e, DateTimeOffset due)
    {
        _held.Add(new HeldEvent(bus, e, due));
        return _held.Count - 1;
    }

    private void FireHeld(Bus bus)
    {
        if (FireHeldOnPoll is not { } lateness)
        {
            return;
        }

        var stored = new List<(int Eventlog, StoredEvent Event)>();
        lock (_lock)
        {
            foreach (var h in _held.Where(h => h.Bus == bus).OrderBy(h => h.Due).ToList())
            {
                _held.Remove(h);
                if (lateness(h.Event) is not { } late)
                {
                    continue;
                }

                var log = bus.NextRoundRobin();
                var s = new StoredEvent(h.Event, bus.Logs[log].Count, h.Due + late);
                bus.Logs[log].Add(s);
                stored.Add((log, s));
            }
        }

        Deliver(bus, stored);
    }

    private async Task MetricsAsync(HttpContext c)
    {
        long held;
        lock (_lock)
        {
            held = _held.Count;
        }

        var text = new StringBuilder();
        void Gauge(string name, long value) => text.Append(CultureInfo.InvariantCulture, $"# HELP {name} fake\n# TYPE {name} gauge\n{name} {value}\n");
        Gauge("vanus_ready", 1);
        if (ExportsTimers)
        {
            Gauge("vanus_timers_pending", held);
            Gauge("vanus_timers_in_memory", held);
        }

        // A labelled family whose name starts like a plain one, as a scrape reader must tell apart.
        text.Append("# TYPE process_resident_memory_bytes_by_kind gauge\nprocess_resident_memory_bytes_by_kind{kind=\"x\"} 1\n");
        Gauge("process_resident_memory_bytes", ResidentBaseBytes + (held * BytesPerHeldTimer));
        Gauge("dotnet_gc_heap_size_bytes", 20_000_000 + (held * BytesPerHeldTimer / 2));
        c.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await c.Response.WriteAsync(text.ToString());
    }

    private sealed record HeldEvent(Bus Bus, Event Event, DateTimeOffset Due);
}
