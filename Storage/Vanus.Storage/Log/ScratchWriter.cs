using System.Buffers;

namespace Vanus.Storage.Log;

/// <summary>A per-thread growable buffer events are encoded into before the append lock is taken.</summary>
internal sealed class ScratchWriter : IBufferWriter<byte>
{
    [ThreadStatic]
    private static ScratchWriter? t_instance;

    private byte[] _buffer = new byte[4096];
    private int _length;
    private FrameInfo[] _frames = new FrameInfo[16];

    public static ScratchWriter ForThisThread() => t_instance ??= new ScratchWriter();

    public int Length => _length;

    /// <summary>The buffer itself (frames are addressed by <see cref="FrameInfo.Start"/>).</summary>
    public byte[] Buffer => _buffer;

    /// <summary>Where each encoded frame of the current append sits in the buffer.</summary>
    public FrameInfo[] Frames => _frames;

    /// <summary>The frame table, grown to hold at least <paramref name="count"/> frames.</summary>
    public FrameInfo[] FramesFor(int count)
    {
        if (_frames.Length < count)
        {
            _frames = new FrameInfo[Math.Max(count, _frames.Length * 2)];
        }

        return _frames;
    }

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

    /// <summary>One encoded record: its frame (header and payload) in the buffer, its payload length and payload CRC.</summary>
    public readonly record struct FrameInfo(int Start, int Length, int PayloadLength, uint PayloadCrc);

    private void Ensure(int sizeHint)
    {
        var needed = _length + Math.Max(sizeHint, 256);
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }
    }
}
