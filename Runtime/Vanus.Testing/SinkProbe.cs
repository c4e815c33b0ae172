using System.Threading.Channels;
using Vanus.Runtime.Pipeline;

namespace Vanus.Testing;

/// <summary>
/// A sink driven by a test: it pulls only as many elements as the test requests, and records each element,
/// the completion or the failure, for the test to expect in order.
/// </summary>
/// <typeparam name="T">The elements it takes.</typeparam>
public sealed class SinkProbe<T>
{
    private readonly Channel<(int Kind, T? Item, Exception? Error)> _signals = Channel.CreateUnbounded<(int, T?, Exception?)>();
    private readonly SemaphoreSlim _demand = new(0);
    private readonly CancellationTokenSource _cancel = new();
    private const int Next = 0, Complete = 1, Error = 2;
    private long _received;

    internal SinkProbe(IAsyncEnumerable<T> upstream, TimeSpan timeout, CancellationToken runToken)
    {
        Timeout = timeout;
        Completion = Task.Run(() => ConsumeAsync(upstream, runToken), CancellationToken.None);
    }

    /// <summary>How long expectations wait before they fail; a guard against hanging tests, not a measurement.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Completes when the probe stops consuming: on completion, failure or cancellation of the stream.</summary>
    public Task Completion { get; }

    /// <summary>How many elements have arrived so far.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Allows <paramref name="count"/> more pulls.</summary>
    public void Request(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _demand.Release(count);
    }

    /// <summary>Requests one element and waits for it.</summary>
    public Task<T> RequestNextAsync()
    {
        Request(1);
        return ExpectNextAsync();
    }

    /// <summary>Waits for the next element; fails if the stream completes or fails instead.</summary>
    public async Task<T> ExpectNextAsync()
    {
        var (kind, item, error) = await NextSignalAsync("an element").ConfigureAwait(false);
        return kind switch
        {
            Next => item!,
            Complete => throw new InvalidOperationException("Expected an element, but the stream completed."),
            _ => throw new InvalidOperationException($"Expected an element, but the stream failed: {error!.Message}", error),
        };
    }

    /// <summary>Waits for the next element and checks it equals <paramref name="expected"/>.</summary>
    public async Task ExpectNextAsync(T expected)
    {
        var actual = await ExpectNextAsync().ConfigureAwait(false);
        if (!EqualityComparer<T>.Default.Equals(actual, expected))
        {
            throw new InvalidOperationException($"Expected element {expected}, got {actual}.");
        }
    }

    /// <summary>Waits for the stream to complete; fails on an element or an error instead.</summary>
    public async Task ExpectCompleteAsync()
    {
        var (kind, item, error) = await NextSignalAsync("completion").ConfigureAwait(false);
        if (kind != Complete)
        {
            throw new InvalidOperationException(kind == Next ? $"Expected completion, got element {item}." : $"Expected completion, but the stream failed: {error!.Message}", error);
        }
    }

    /// <summary>Waits for the stream to fail and returns the error; fails on an element or completion instead.</summary>
    public async Task<Exception> ExpectErrorAsync()
    {
        var (kind, item, error) = await NextSignalAsync("an error").ConfigureAwait(false);
        return kind == Error ? error! : throw new InvalidOperationException(kind == Next ? $"Expected an error, got element {item}." : "Expected an error, but the stream completed.");
    }

    /// <summary>Cancels the stream from the downstream side and waits until the probe has stopped.</summary>
    public async Task CancelAsync()
    {
        await _cancel.CancelAsync().ConfigureAwait(false);
        await Completion.WaitAsync(Timeout).ConfigureAwait(false);
    }

    private async Task<(int Kind, T? Item, Exception? Error)> NextSignalAsync(string what)
    {
        try
        {
            return await _signals.Reader.ReadAsync().AsTask().WaitAsync(Timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Expected {what} within {Timeout}, but nothing arrived (received so far: {Received}).");
        }
    }

    private async Task ConsumeAsync(IAsyncEnumerable<T> upstream, CancellationToken runToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(runToken, _cancel.Token);
        var enumerator = upstream.GetAsyncEnumerator(linked.Token);
        try
        {
            while (true)
            {
                await _demand.WaitAsync(linked.Token).ConfigureAwait(false);
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    _signals.Writer.TryWrite((Complete, default, null));
                    return;
                }

                Interlocked.Increment(ref _received);
                _signals.Writer.TryWrite((Next, enumerator.Current, null));
            }
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            // Cancelled by the test: disposal below carries the cancellation upstream.
        }
        catch (Exception e)
        {
            _signals.Writer.TryWrite((Error, default, e));
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Factories of test sinks.</summary>
public static class TestSink
{
    /// <summary>A sink that materializes a <see cref="SinkProbe{T}"/>; nothing is pulled until the test requests.</summary>
    public static Sink<T, SinkProbe<T>> Probe<T>(TimeSpan? timeout = null) => new ProbeSink<T>(timeout ?? TimeSpan.FromSeconds(10));

    private sealed class ProbeSink<T>(TimeSpan timeout) : Sink<T, SinkProbe<T>>
    {
        protected override SinkProbe<T> Attach(IAsyncEnumerable<T> upstream, StreamContext context) => new(upstream, timeout, context.CancellationToken);
    }
}
