using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Replication;

/// <summary>Walking a run of stored frames: counting them, finding one, and naming a run cut short.</summary>
public class StoredFramesTests : SimulatedDiskTests
{
    [Fact]
    public async Task Frames_are_counted_and_found_and_a_run_cut_short_is_named()
    {
        await using var log = await OpenAsync(Options(Disk, Clock));
        for (var i = 0; i < 5; i++)
        {
            await log.AppendAsync(MakeEvent(i, 30 + (i * 50)));
        }

        var frames = await log.ReadFramesAsync(0, 1 << 20);
        Assert.Equal(5, StoredFrames.Count(frames.Span));
        Assert.Equal(0, StoredFrames.PositionOf(frames.Span, 0));
        Assert.Equal(frames.Length, StoredFrames.PositionOf(frames.Span, 5));
        Assert.Equal(0L, StoredFrames.FirstOffset(frames.Span));
        Assert.Null(StoredFrames.FirstOffset(ReadOnlySpan<byte>.Empty));
        Assert.Equal(0, StoredFrames.Count(ReadOnlySpan<byte>.Empty));

        // From the third frame on is what a log holding two takes next.
        var third = frames[StoredFrames.PositionOf(frames.Span, 2)..];
        Assert.Equal(2L, StoredFrames.FirstOffset(third.Span));
        Assert.Equal(3, StoredFrames.Count(third.Span));

        var cut = Assert.Throws<ArgumentException>(() => StoredFrames.Count(frames.Span[..^3]));
        Assert.Contains("frame 4", cut.Message);
        Assert.Contains("part of a frame header at byte 0", Assert.Throws<ArgumentException>(() => StoredFrames.Count(frames.Span[..10])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => StoredFrames.PositionOf(frames.Span, 6));
    }
}
