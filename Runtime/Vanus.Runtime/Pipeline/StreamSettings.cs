namespace Vanus.Runtime.Pipeline;

/// <summary>Settings of one run of a stream: its clock and the default size of async-boundary buffers.</summary>
public sealed record StreamSettings
{
    private readonly int _bufferSize = 16;

    /// <summary>The defaults: the system clock and buffers of 16 elements (as Akka.Streams).</summary>
    public static StreamSettings Default { get; } = new();

    /// <summary>The clock time-based stages read (inject a fake one in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Elements an async boundary may hold before it backpressures its upstream; at least 1.</summary>
    public int BufferSize
    {
        get => _bufferSize;
        init => _bufferSize = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A buffer holds at least one element.");
    }
}
