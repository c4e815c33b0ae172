using System.Buffers;

namespace Vanus.Storage.Log;

/// <summary>A per-thread growable buffer events are encoded into before the append lock is taken.</summary>
internal sealed class ScratchWriter : IBufferWriter<byte>
{
    [ThreadStatic]
    private static ScratchWriter? t_instance;

    private byte[] _buffer = new byte[4096];
    private int _length;

    public static ScratchWriter ForThisThread() => t_instance ??= new ScratchWriter();

    public int Length => _length;

    public Span<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>Empties the buffer, keeping <paramref name="reserve"/> leading bytes for a header.</summary>
    public void Reset(int reserve) => _length = reserve;

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    private void Ensure(int sizeHint)
    {
        var needed = _length + Math.Max(sizeHint, 256);
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }
    }
}
