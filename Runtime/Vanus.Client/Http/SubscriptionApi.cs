using System.Globalization;
using System.Reactive.Linq;
using System.Runtime.CompilerServices;
using Vanus.Client.Consuming;
using Vanus.Runtime.Events;

namespace Vanus.Client.Http;

/// <summary>The subscription calls of the management API, pull and ack, and the in-process consumers built on them.</summary>
internal sealed class SubscriptionApi(ApiConnection connection) : ISubscriptionApi
{
    public async Task<SubscriptionStatus> DeployAsync(string name, SubscriptionPipeline pipeline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var json = pipeline.ToJson(name);
        using var create = Content.Json(json);
        var created = await connection.SendAsync(HttpMethod.Post, connection.Management("subscriptions"), create, cancellationToken).ConfigureAwait(false);
        if (created.IsSuccess)
        {
            return await StatusAsync(created, name, cancellationToken).ConfigureAwait(false);
        }

        if (created.Status != 409)
        {
            throw created.ToException();
        }

        // It exists: replacing the document keeps its committed offsets, so redeploying the same pipeline resumes where it was.
        using var replace = Content.Json(json);
        var replaced = await connection.CallAsync(HttpMethod.Put, connection.Management("subscriptions", name), replace, cancellationToken).ConfigureAwait(false);
        return await StatusAsync(replaced, name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SubscriptionStatus> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        Names.Check(name, nameof(name));
        var answer = await connection.CallAsync(HttpMethod.Get, connection.Management("subscriptions", name), null, cancellationToken).ConfigureAwait(false);
        return AnswerReader.Read(answer, e => AnswerReader.Subscription(e, ""));
    }

    public async Task<IReadOnlyList<SubscriptionStatus>> ListAsync(CancellationToken cancellationToken = default)
    {
        var answer = await connection.CallAsync(HttpMethod.Get, connection.Management("subscriptions"), null, cancellationToken).ConfigureAwait(false);
        return AnswerReader.Read(answer, AnswerReader.Subscriptions);
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        Names.Check(name, nameof(name));
        var answer = await connection.SendAsync(HttpMethod.Delete, connection.Management("subscriptions", name), null, cancellationToken).ConfigureAwait(false);
        return answer.IsSuccess || (answer.Status == 404 ? false : throw answer.ToException());
    }

    public Task<SubscriptionStatus> PauseAsync(string name, CancellationToken cancellationToken = default) => LifecycleAsync(name, "pause", null, cancellationToken);

    public Task<SubscriptionStatus> ResumeAsync(string name, CancellationToken cancellationToken = default) => LifecycleAsync(name, "resume", null, cancellationToken);

    public Task<SubscriptionStatus> ResetAsync(string name, DateTimeOffset time, CancellationToken cancellationToken = default) =>
        LifecycleAsync(name, "reset", DocumentWriter.Reset(time), cancellationToken);

    public async Task<IReadOnlyList<ReceivedEvent>> PullAsync(string name, int maxEvents, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        Names.Check(name, nameof(name));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        var path = connection.Management("subscriptions", name, "pull")
            + "?max=" + maxEvents.ToString(CultureInfo.InvariantCulture) + "&wait=" + DurationText.Format(wait, nameof(wait));
        var answer = await connection.CallAsync(HttpMethod.Post, path, null, cancellationToken).ConfigureAwait(false);
        var pulled = AnswerReader.Read(answer, AnswerReader.Pulled);
        return [.. pulled.Select(p => new ReceivedEvent(p.Token, p.Eventlog, p.Offset, p.Attempt, p.Event, (token, ct) => AckAsync(name, [token], ct)))];
    }

    public async Task<int> AckAsync(string name, IEnumerable<string> tokens, CancellationToken cancellationToken = default)
    {
        Names.Check(name, nameof(name));
        ArgumentNullException.ThrowIfNull(tokens);
        var list = tokens.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (string.IsNullOrEmpty(list[i]))
            {
                throw new ArgumentException($"tokens[{i}] is null or empty; give the tokens of pulled events.", nameof(tokens));
            }
        }

        if (list.Count == 0)
        {
            return 0;
        }

        using var body = Content.Json(DocumentWriter.Ack(list));
        var answer = await connection.CallAsync(HttpMethod.Post, connection.Management("subscriptions", name, "ack"), body, cancellationToken).ConfigureAwait(false);
        return AnswerReader.Read(answer, AnswerReader.Acknowledged);
    }

    public Task ConsumeAsync(string name, SubscriptionPipeline pipeline, Func<Event, CancellationToken, ValueTask> handler, ConsumeOptions? options = null, CancellationToken cancellationToken = default)
    {
        var consumer = Consumer(name, pipeline, options);
        ArgumentNullException.ThrowIfNull(handler);
        return consumer.RunAsync(handler, cancellationToken);
    }

    public IAsyncEnumerable<ReceivedEvent> ReceiveAsync(string name, SubscriptionPipeline pipeline, ConsumeOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Checked here rather than in the iterator so that bad arguments throw at the call, not at the first MoveNextAsync.
        var consumer = Consumer(name, pipeline, options);
        return ReceiveCore(consumer, cancellationToken);
    }

    public IObservable<Event> Observe(string name, SubscriptionPipeline pipeline, ConsumeOptions? options = null)
    {
        var consumer = Consumer(name, pipeline, options);
        return Observable.Create<Event>((observer, cancellationToken) =>
        {
            // Handlers may run in parallel; Rx observers take one OnNext at a time.
            var gate = new Lock();
            return consumer.RunAsync(
                (e, _) =>
                {
                    lock (gate)
                    {
                        observer.OnNext(e);
                    }

                    return ValueTask.CompletedTask;
                },
                cancellationToken);
        });
    }

    private static async IAsyncEnumerable<ReceivedEvent> ReceiveCore(PullConsumer consumer, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await consumer.DeployAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var batch = await consumer.PullAsync(cancellationToken).ConfigureAwait(false);
            foreach (var item in batch)
            {
                yield return item;
            }
        }
    }

    private PullConsumer Consumer(string name, SubscriptionPipeline pipeline, ConsumeOptions? options)
    {
        Names.Check(name, nameof(name));
        ArgumentNullException.ThrowIfNull(pipeline);
        if (pipeline.Sink is not null)
        {
            throw new ArgumentException(
                $"The pipeline ends at sink {pipeline.Sink.Url}, so the node delivers it: deploy it with DeployAsync. Consume in process a pipeline without To(...).",
                nameof(pipeline));
        }

        options ??= ConsumeOptions.Default;
        options.Validate();
        return new PullConsumer(this, connection.Time, name, pipeline, options);
    }

    private async Task<SubscriptionStatus> LifecycleAsync(string name, string verb, string? document, CancellationToken cancellationToken)
    {
        Names.Check(name, nameof(name));
        using var body = document is null ? null : Content.Json(document);
        var answer = await connection.CallAsync(HttpMethod.Post, connection.Management("subscriptions", name, verb), body, cancellationToken).ConfigureAwait(false);
        return await StatusAsync(answer, name, cancellationToken).ConfigureAwait(false);
    }

    // Lifecycle calls may answer with the subscription or with no body (204); the status is then read with GET.
    private async Task<SubscriptionStatus> StatusAsync(ApiAnswer answer, string name, CancellationToken cancellationToken) =>
        answer.IsEmpty ? await GetAsync(name, cancellationToken).ConfigureAwait(false) : AnswerReader.Read(answer, e => AnswerReader.Subscription(e, ""));
}
