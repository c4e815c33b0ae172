using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Broker;

/// <summary>
/// Admission for every append this node starts (ingest, due timers, schedules): a bound on the bytes in flight, so a burst
/// answers 429 instead of growing memory, and a count of appends in flight, so a stopping node lets them finish and
/// refuses new ones.
/// </summary>
internal sealed class AppendGate(long maxPendingBytes)
{
    // What an event costs in flight beyond its size: the objects that hold it.
    private const int EventOverhead = 48;

    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _pendingBytes;
    private int _inflight;
    private volatile bool _stopping;

    /// <summary>Bytes of appends in flight now.</summary>
    public long PendingBytes => Interlocked.Read(ref _pendingBytes);

    /// <summary>True once <see cref="StopAsync"/> was called.</summary>
    public bool IsStopping => _stopping;

    /// <summary>
    /// Admits an append of <paramref name="events"/>; dispose the ticket when it is done. Throws
    /// <see cref="BrokerErrorKind.Overloaded"/> when the bytes would pass the bound and <see cref="BrokerErrorKind.Unavailable"/>
    /// while stopping; nothing is sent anywhere then.
    /// </summary>
    public Ticket Admit(IReadOnlyList<Event> events)
    {
        long bytes = 0;
        for (var i = 0; i < events.Count; i++)
        {
            bytes += EventOverhead + EventSize.Of(events[i] ?? throw new ArgumentException($"event {i} is null", nameof(events)));
        }

        if (!TryReserve(bytes))
        {
            throw new BrokerException(
                BrokerErrorKind.Overloaded,
                $"the node already has {PendingBytes} bytes of appends in flight and takes at most {maxPendingBytes}; this request adds {bytes}. Retry later");
        }

        Interlocked.Increment(ref _inflight);
        if (_stopping)
        {
            Leave(bytes);
            throw Stopping();
        }

        return new Ticket(this, bytes);
    }

    /// <summary>Refuses new appends and completes once those in flight have finished.</summary>
    public Task StopAsync()
    {
        _stopping = true;
        if (Volatile.Read(ref _inflight) == 0)
        {
            _drained.TrySetResult();
        }

        return _drained.Task;
    }

    /// <summary>The failure of a call made while the node stops.</summary>
    public static BrokerException Stopping() => new(BrokerErrorKind.Unavailable, "the node is stopping");

    private bool TryReserve(long bytes)
    {
        while (true)
        {
            var current = Interlocked.Read(ref _pendingBytes);
            if (current + bytes > maxPendingBytes)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _pendingBytes, current + bytes, current) == current)
            {
                return true;
            }
        }
    }

    private void Leave(long bytes)
    {
        Interlocked.Add(ref _pendingBytes, -bytes);
        if (Interlocked.Decrement(ref _inflight) == 0 && _stopping)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>One admitted append; disposing it releases its bytes and its place.</summary>
    public readonly struct Ticket(AppendGate gate, long bytes) : IDisposable
    {
        public void Dispose() => gate.Leave(bytes);
    }
}
