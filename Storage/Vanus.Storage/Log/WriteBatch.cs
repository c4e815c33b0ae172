using System.Buffers;

namespace Vanus.Storage.Log;

/// <summary>Framed records bound for one segment, written together by the writer loop; pooled with its buffer.</summary>
internal sealed class WriteBatch
{
    /// <summary>The buffer size a batch keeps for its whole life (larger records rent a bigger one for one use).</summary>
    public const int StandardCapacity = 256 << 10;

    private byte[]? _own;
    public byte[] Buffer = [];
    public int Length;
    public Segment Segment = null!;
    public long Position;
    public long FirstOffset;
    public int Count;
    public long LastStoreTicks;

    /// <summary>When set, the segment is sealed after this batch and this successor becomes the active segment.</summary>
    public Segment? SealSuccessor;

    public bool ForceSync;
    public readonly List<AppendCompletion> Waiters = [];
    public readonly List<TaskCompletionSource> Barriers = [];

    public bool HasWork => Length > 0 || SealSuccessor is not null || ForceSync || Barriers.Count > 0;

    public void Start(Segment segment, long position, int capacity)
    {
        Segment = segment;
        Position = position;
        Buffer = capacity == 0 ? [] : capacity <= StandardCapacity ? _own ??= new byte[StandardCapacity] : ArrayPool<byte>.Shared.Rent(capacity);
    }

    public void Reset()
    {
        if (Buffer.Length > 0 && Buffer != _own)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
        }

        Buffer = [];
        Length = 0;
        Segment = null!;
        Position = 0;
        FirstOffset = 0;
        Count = 0;
        LastStoreTicks = 0;
        SealSuccessor = null;
        ForceSync = false;
        Waiters.Clear();
        Barriers.Clear();
    }
}
