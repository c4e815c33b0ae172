using System.Threading.Tasks.Sources;

namespace Vanus.Storage.Log;

/// <summary>The pending result of one append, reused through a pool so the write path allocates nothing per event.</summary>
internal sealed class AppendCompletion : IValueTaskSource<long>
{
    private readonly CompletionPool _pool;
    private ManualResetValueTaskSourceCore<long> _core = new() { RunContinuationsAsynchronously = true };

    public AppendCompletion(CompletionPool pool) => _pool = pool;

    public long Offset { get; set; }

    public short Version => _core.Version;

    public void Complete() => _core.SetResult(Offset);

    public void Fail(Exception error) => _core.SetException(error);

    public long GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            _pool.Return(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

/// <summary>A bounded stack of idle <see cref="AppendCompletion"/>s.</summary>
internal sealed class CompletionPool
{
    private const int MaxKept = 1 << 18;
    private readonly Lock _gate = new();
    private AppendCompletion[] _items = new AppendCompletion[256];
    private int _count;

    public AppendCompletion Rent()
    {
        lock (_gate)
        {
            if (_count > 0)
            {
                var item = _items[--_count];
                _items[_count] = null!;
                return item;
            }
        }

        return new AppendCompletion(this);
    }

    public void Return(AppendCompletion item)
    {
        lock (_gate)
        {
            if (_count == _items.Length)
            {
                if (_count >= MaxKept)
                {
                    return;
                }

                Array.Resize(ref _items, _count * 2);
            }

            _items[_count++] = item;
        }
    }
}
