using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Subscriptions;

/// <summary>What a <see cref="SubscriptionGraph"/> is compiled with besides its document: the HTTP client, C# stages and sink, the clock, and where dead letters go in this process.</summary>
public sealed record SubscriptionGraphOptions
{
    /// <summary>No C# stages, no HTTP client, the system clock.</summary>
    public static SubscriptionGraphOptions Default { get; } = new();

    /// <summary>The client an HTTP sink sends with (shared, see <see cref="Sinks.CreateHttpClient"/>); needed when the document names an HTTP sink.</summary>
    public HttpClient? Http { get; init; }

    /// <summary>C# stages run after the transformer, in order; one returning null drops the event. They run only in this process.</summary>
    public IReadOnlyList<Func<Event, CancellationToken, ValueTask<Event?>>> Stages { get; init; } = [];

    /// <summary>A sink of this process that replaces the document's (a C# handler, say).</summary>
    public IEventSink? Sink { get; init; }

    /// <summary>The clock of delays, backoff and rate limits.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Where an in-process run sends an event it gives up on (attempts exhausted, refused, or not transformable) when the
    /// policy dead-letters; without it such an event is dropped. The event is acknowledged once this returns.
    /// </summary>
    public Func<DeadLetter, CancellationToken, ValueTask>? DeadLetter { get; init; }
}

/// <summary>One event for an in-process run of a graph: the record, and how to tell its source the graph is done with it.</summary>
public sealed record GraphInput(EventRecord Record, Func<CancellationToken, ValueTask> Acknowledge);

/// <summary>An event an in-process run gave up on: the record, why (<c>MaxAttemptsExhausted</c>, <c>SinkRefused</c> or <c>TransformFailed</c>), the last error and the attempts made.</summary>
public sealed record DeadLetter(EventRecord Record, string Reason, string Error, int Attempts);
