using Vanus.Client.Http;
using Vanus.Runtime.Events;

namespace Vanus.Client.Consuming;

/// <summary>
/// One in-process consumer of a pull subscription: deploys it, then pulls, runs the handler and acknowledges what it
/// handled. An event is acknowledged only after its handler completed, so a crash or a throwing handler means redelivery
/// (at least once), never loss.
/// </summary>
internal sealed class PullConsumer(SubscriptionApi api, TimeProvider time, string name, SubscriptionPipeline pipeline, ConsumeOptions options)
{
    /// <summary>How long the acknowledgements of handled events may take once the consumer is stopping.</summary>
    private static readonly TimeSpan FinalAckTimeout = TimeSpan.FromSeconds(5);

    public Task DeployAsync(CancellationToken cancellationToken) => api.DeployAsync(name, pipeline, cancellationToken);

    public async Task RunAsync(Func<Event, CancellationToken, ValueTask> handler, CancellationToken cancellationToken)
    {
        await DeployAsync(cancellationToken).ConfigureAwait(false);
        var handled = new List<string>();
        try
        {
            while (true)
            {
                var batch = await PullAsync(cancellationToken).ConfigureAwait(false);
                await HandleAsync(batch, handler, handled, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (handled.Count > 0)
                {
                    await RetryAsync(ct => api.AckAsync(name, handled, ct), cancellationToken).ConfigureAwait(false);
                    handled.Clear();
                }
            }
        }
        finally
        {
            if (handled.Count > 0)
            {
                await FinalAckAsync(handled).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Acknowledges handled events, retried after transient failures until it answers or the token is cancelled.</summary>
    public Task<int> AckAsync(IReadOnlyList<string> tokens, CancellationToken cancellationToken) =>
        RetryAsync(ct => api.AckAsync(name, tokens, ct), cancellationToken);

    /// <summary>Acknowledges what was handled while stopping: once, within a few seconds; a lost ack means a redelivery.</summary>
    public Task FinalAckAsync(IReadOnlyList<string> tokens) => FinalAckAsync([.. tokens]);

    /// <summary>One pull, retried after transient failures until it answers or the token is cancelled.</summary>
    public Task<IReadOnlyList<ReceivedEvent>> PullAsync(CancellationToken cancellationToken) =>
        RetryAsync(ct => api.PullAsync(name, options.MaxEvents, options.Wait, ct), cancellationToken);

    private async Task HandleAsync(IReadOnlyList<ReceivedEvent> batch, Func<Event, CancellationToken, ValueTask> handler, List<string> handled, CancellationToken cancellationToken)
    {
        if (options.Parallelism == 1 || batch.Count <= 1)
        {
            // One at a time, in the order the node handed them out.
            foreach (var item in batch)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                if (await TryHandleAsync(item, handler, cancellationToken).ConfigureAwait(false))
                {
                    handled.Add(item.Token);
                }
            }

            return;
        }

        var gate = new Lock();
        // The loop's own token stays uncancelled so that every started handler is awaited; unstarted ones are skipped below.
        await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism }, async (item, _) =>
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            if (await TryHandleAsync(item, handler, cancellationToken).ConfigureAwait(false))
            {
                lock (gate)
                {
                    handled.Add(item.Token);
                }
            }
        }).ConfigureAwait(false);
    }

    private async ValueTask<bool> TryHandleAsync(ReceivedEvent item, Func<Event, CancellationToken, ValueTask> handler, CancellationToken cancellationToken)
    {
        try
        {
            await handler(item.Event, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
#pragma warning disable CA1031 // Any handler failure means "not handled": the event stays un-acked and is redelivered.
        catch (Exception e)
#pragma warning restore CA1031
        {
            options.OnHandlerError?.Invoke(item.Event, e);
            return false;
        }
    }

    private async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TimeSpan wait;
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (VanusApiException e) when (e.IsTransient)
            {
                options.OnTransientFailure?.Invoke(e);
                wait = e.RetryAfter is { } after && after > options.RetryDelay ? after : options.RetryDelay;
            }
            catch (HttpRequestException e)
            {
                options.OnTransientFailure?.Invoke(e);
                wait = options.RetryDelay;
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                // The HTTP client's own timeout, not the caller's cancellation.
                options.OnTransientFailure?.Invoke(e);
                wait = options.RetryDelay;
            }

            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task FinalAckAsync(List<string> handled)
    {
        using var timeout = new CancellationTokenSource(FinalAckTimeout, time);
        try
        {
            await api.AckAsync(name, handled, timeout.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Best effort while stopping: an event whose ack is lost is redelivered, which at-least-once allows.
        catch (Exception e)
#pragma warning restore CA1031
        {
            options.OnTransientFailure?.Invoke(e);
        }
    }
}
