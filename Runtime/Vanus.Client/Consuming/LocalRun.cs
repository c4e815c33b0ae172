using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Vanus.Client.Http;
using Vanus.Operators.Subscriptions;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Client.Consuming;

/// <summary>
/// A pipeline run in this process: Operators' <see cref="SubscriptionGraph"/> compiled from the pipeline (the graph a trigger
/// runs in the cluster, plus the C# stages), fed by a pull subscription of the node that keeps the start, the delay and
/// the progress. Events are acknowledged in batches once the graph is done with them.
/// </summary>
internal static class LocalRun
{
    private const int MaxAckBatch = 1000;

    public static async Task RunAsync(VanusClient client, string name, SubscriptionPipeline pipeline, RunOptions options, CancellationToken cancellationToken)
    {
        using var ownHttp = options.SinkClient is null && pipeline.Sink is not null ? Sinks.CreateHttpClient() : null;
        SubscriptionGraph graph;
        try
        {
            graph = SubscriptionGraph.Compile(pipeline.ToSpec(name), new SubscriptionGraphOptions
            {
                Http = options.SinkClient ?? ownHttp,
                Stages = pipeline.Stages,
                Sink = pipeline.Handler is { } handler ? Sinks.Delegate(handler) : null,
                Time = client.Time,
                DeadLetter = options.OnDeadLetter,
            });
        }
        catch (BrokerException e)
        {
            throw new ArgumentException($"The pipeline cannot run: '{e.Field}' {e.Message}", nameof(pipeline), e);
        }

        // The node holds what a restart needs: where the run is, and events until their delay has passed.
        var source = Pipeline.FromEventBus(pipeline.Eventbus, pipeline.From).WithDelivery(Delivery.Default.Timeout(options.AckTimeout));
        if (pipeline.DelayValue is { } delay)
        {
            source = source.Delay(delay);
        }

        var consumer = new PullConsumer((SubscriptionApi)client.Subscriptions, client.Time, name, source, options.ToConsumeOptions());
        await consumer.DeployAsync(cancellationToken).ConfigureAwait(false);
        var acks = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var acking = AckAsync(consumer, acks.Reader, cancellationToken);
        try
        {
            await graph.RunAsync(PullAsync(consumer, pipeline.Eventbus, acks.Writer, client.Time, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            acks.Writer.TryComplete();
            await acking.ConfigureAwait(false);
        }
    }

    private static async IAsyncEnumerable<GraphInput> PullAsync(PullConsumer consumer, string eventbus, ChannelWriter<string> acks, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            foreach (var item in await consumer.PullAsync(cancellationToken).ConfigureAwait(false))
            {
                var token = item.Token;
                yield return new GraphInput(Record(item, eventbus, time), _ =>
                {
                    acks.TryWrite(token);
                    return ValueTask.CompletedTask;
                });
            }
        }
    }

    /// <summary>A pulled event as the graph reads it: where and when it was stored, from the attributes the node added on read.</summary>
    private static EventRecord Record(ReceivedEvent item, string eventbus, TimeProvider time)
    {
        var e = item.Event;
        var bus = e.Extensions.TryGet(ReadAttributes.Eventbus, out var b) && b.AsText is { } name ? name : eventbus;
        var stored = e.Extensions.TryGet(ReadAttributes.StoreTime, out var s) && s.AsText is { } text && Rfc3339.TryParse(text, out var at, out _)
            ? at
            : time.GetUtcNow();
        return new EventRecord(bus, item.Eventlog, item.Offset, stored, e);
    }

    /// <summary>Acknowledges finished events in batches while the run lasts, then once more for whatever is left.</summary>
    private static async Task AckAsync(PullConsumer consumer, ChannelReader<string> tokens, CancellationToken cancellationToken)
    {
        var batch = new List<string>();
        try
        {
            while (await tokens.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (batch.Count < MaxAckBatch && tokens.TryRead(out var token))
                {
                    batch.Add(token);
                }

                await consumer.AckAsync(batch, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run stopped: what it finished is acknowledged below, once.
        }

        while (tokens.TryRead(out var token))
        {
            batch.Add(token);
        }

        if (batch.Count > 0)
        {
            await consumer.FinalAckAsync(batch).ConfigureAwait(false);
        }
    }
}
