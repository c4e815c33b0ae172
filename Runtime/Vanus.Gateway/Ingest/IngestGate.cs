namespace Vanus.Gateway.Ingest;

/// <summary>
/// Admission control for ingest: bounds the requests handled at once and the request-body bytes held at once,
/// so a flood is answered 429 instead of growing memory.
/// </summary>
internal sealed class IngestGate(int maxRequests, long maxBytes)
{
    private int _requests;
    private long _bytes;

    public int Requests => Volatile.Read(ref _requests);

    public long Bytes => Interlocked.Read(ref _bytes);

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _requests) <= maxRequests)
        {
            return true;
        }

        Interlocked.Decrement(ref _requests);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _requests);

    public bool TryReserve(long bytes)
    {
        var current = Interlocked.Read(ref _bytes);
        while (true)
        {
            if (current + bytes > maxBytes)
            {
                return false;
            }

            var seen = Interlocked.CompareExchange(ref _bytes, current + bytes, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }
    }

    public void Release(long bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref _bytes, -bytes);
        }
    }
}
