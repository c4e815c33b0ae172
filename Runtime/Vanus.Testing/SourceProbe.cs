using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Vanus.Runtime.Pipeline;

namespace Vanus.Testing;

/// <summary>
/// A source driven by a test: it shows each pull of the downstream (a request) and emits only what the test sends,
/// so backpressure, completion, failure and cancellation can be checked step by step, without sleeps.
/// </summary>
/// <typeparam name="T">The elements it emits.</typeparam>
public sealed class SourceProbe<T>
{
    private readonly Channel<(bool Complete, T? Item, Exception? Error)> _commands = Channel.CreateUnbounded<(bool, T?, Exception?)>();
    private readonly SemaphoreSlim _requests = new(0);
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _opened;
    private long _requested;

    /// <summary>Creates a probe; its <see cref="Source"/> may be run once.</summary>
    public SourceProbe() => Source = new ProbeSource(this);

    /// <summary>The source to put at the head of the stream under test.</summary>
    public Source<T> Source { get; }

    /// <summary>How long expectations wait before they fail; a guard against hanging tests, not a measurement.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times the downstream has pulled so far.</summary>
    public long Requested => Interlocked.Read(ref _requested);

    /// <summary>True once the downstream cancelled (disposed the stream before the probe completed it).</summary>
    public bool IsCancelled => _cancelled.Task.IsCompleted;

    /// <summary>Waits until the downstream pulls (one request per call).</summary>
    public async Task ExpectRequestAsync()
    {
        if (!await _requests.WaitAsync(Timeout).ConfigureAwait(false))
        {
            throw new TimeoutException($"The downstream did not request an element within {Timeout} (requests so far: {Requested}).");
        }
    }

    /// <summary>Emits an element (the downstream receives it on its current or next pull).</summary>
    public void SendNext(T item) => _commands.Writer.TryWrite((false, item, null));

    /// <summary>Completes the source.</summary>
    public void SendComplete() => _commands.Writer.TryWrite((true, default, null));

    /// <summary>Fails the source with <paramref name="error"/>.</summary>
    public void SendError(Exception error) => _commands.Writer.TryWrite((false, default, error ?? throw new ArgumentNullException(nameof(error))));

    /// <summary>Waits until the downstream cancels the source.</summary>
    public Task ExpectCancellationAsync() => _cancelled.Task.WaitAsync(Timeout);

    private async IAsyncEnumerable<T> Emit([EnumeratorCancellation] CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _opened, 1) == 1)
        {
            throw new InvalidOperationException("A SourceProbe can be run only once.");
        }

        var finished = false;
        try
        {
            while (true)
            {
                Interlocked.Increment(ref _requested);
                _requests.Release();
                var (complete, item, error) = await _commands.Reader.ReadAsync(ct).ConfigureAwait(false);
                if (error is not null)
                {
                    finished = true;
                    throw error;
                }

                if (complete)
                {
                    finished = true;
                    yield break;
                }

                yield return item!;
            }
        }
        finally
        {
            if (!finished)
            {
                _cancelled.TrySetResult();
            }
        }
    }

    private sealed class ProbeSource(SourceProbe<T> probe) : Source<T>
    {
        protected override IAsyncEnumerable<T> Open(StreamContext context) => probe.Emit(context.CancellationToken);
    }
}
