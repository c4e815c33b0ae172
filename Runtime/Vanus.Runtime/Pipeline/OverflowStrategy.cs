namespace Vanus.Runtime.Pipeline;

/// <summary>What a bounded buffer fed by a producer that cannot be slowed down does when it is full.</summary>
public enum OverflowStrategy
{
    /// <summary>Block the producer's thread until there is room (backpressure for synchronous producers).</summary>
    Backpressure,
    /// <summary>Fail the stream with <see cref="BufferOverflowException"/>.</summary>
    Fail,
    /// <summary>Drop the newest element, the one that did not fit (a deliberate, documented loss).</summary>
    DropNewest,
    /// <summary>Drop the oldest buffered element to make room (a deliberate, documented loss).</summary>
    DropOldest,
}

/// <summary>Thrown into a stream when a bounded buffer overflows under <see cref="OverflowStrategy.Fail"/>.</summary>
public sealed class BufferOverflowException : Exception
{
    /// <summary>Creates the exception for a buffer of <paramref name="capacity"/> elements.</summary>
    public BufferOverflowException(int capacity)
        : base($"The buffer of {capacity} elements overflowed: the producer is faster than the stream and cannot be slowed down.")
    {
        Capacity = capacity;
    }

    /// <summary>The buffer's capacity.</summary>
    public int Capacity { get; }
}
