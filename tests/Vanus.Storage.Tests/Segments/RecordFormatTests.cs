using System.Text;
using CsCheck;
using Vanus.Storage.Segments;

namespace Vanus.Storage.Tests.Segments;

public class RecordFormatTests
{
    [Fact]
    public void Crc32C_matches_the_standard_check_value() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Crc32C_of_any_split_equals_the_whole() =>
        Gen.Byte.Array[0, 200].Select(Gen.Int[0, 200]).Sample((bytes, cut) =>
        {
            cut = Math.Min(cut, bytes.Length);
            var split = Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Seed, bytes.AsSpan(0, cut)), bytes.AsSpan(cut)));
            Assert.Equal(Crc32C.Compute(bytes), split);
        });

    private static byte[] Frame(byte[] payload, long offset, long ticks)
    {
        var frame = new byte[RecordFormat.HeaderSize + payload.Length];
        payload.CopyTo(frame, RecordFormat.HeaderSize);
        RecordFormat.WriteHeader(frame, payload.Length, RecordFormat.PayloadCrc(payload), offset, ticks);
        return frame;
    }

    [Fact]
    public void A_written_frame_checks_valid_with_its_fields() =>
        Gen.Byte.Array[1, 300].Select(Gen.Long[0, long.MaxValue], Gen.Long).Sample((payload, offset, ticks) =>
        {
            var frame = Frame(payload, offset, ticks);
            Assert.Equal(RecordCheck.Valid, RecordFormat.Check(frame, 1 << 20, out var header));
            Assert.Equal((payload.Length, offset, ticks), (header.PayloadLength, header.Offset, header.StoreTicks));
        });

    [Fact]
    public void Any_flipped_bit_fails_the_check() =>
        Gen.Byte.Array[1, 100].Select(Gen.Int[0, int.MaxValue], Gen.Int[0, 7]).Sample((payload, at, bit) =>
        {
            var frame = Frame(payload, 42, 7);
            frame[at % frame.Length] ^= (byte)(1 << bit);
            Assert.NotEqual(RecordCheck.Valid, RecordFormat.Check(frame, 1 << 20, out _));
        });

    [Fact]
    public void A_cut_frame_is_short_and_zeros_are_the_end()
    {
        var frame = Frame([1, 2, 3, 4, 5], 1, 1);
        Assert.Equal(RecordCheck.Short, RecordFormat.Check(frame.AsSpan(0, frame.Length - 1), 1 << 20, out _));
        Assert.Equal(RecordCheck.Short, RecordFormat.Check(frame.AsSpan(0, 10), 1 << 20, out _));
        Assert.Equal(RecordCheck.End, RecordFormat.Check(new byte[64], 1 << 20, out _));
        Assert.Equal(RecordCheck.End, RecordFormat.Check(new byte[3], 1 << 20, out _));
    }

    [Fact]
    public void A_zero_length_with_other_bytes_or_an_oversized_length_is_a_bad_header()
    {
        var zeroLength = new byte[64];
        zeroLength[9] = 1;
        Assert.Equal(RecordCheck.BadHeader, RecordFormat.Check(zeroLength, 1 << 20, out _));
        var frame = Frame(new byte[100], 1, 1);
        Assert.Equal(RecordCheck.BadHeader, RecordFormat.Check(frame, 50, out _));
    }

    [Fact]
    public void Sparse_index_floor_and_time_search()
    {
        var index = new SparseIndex(100);
        for (var i = 0; i < 50; i++)
        {
            index.Add(i, i * 30, 1000 + (i * 10));
        }

        // An entry for the first record, then one per 100 bytes: offsets 0, 4, 8, ...
        Assert.Equal(13, index.Count);
        Assert.Equal(new IndexEntry(8, 240, 1080), index.Floor(10));
        Assert.Null(index.Floor(-1));
        Assert.Equal(new IndexEntry(4, 120, 1040), index.LastBefore(1045));
        Assert.Null(index.LastBefore(1000));
        index.TruncateAt(121);
        Assert.Equal(2, index.Count);
    }

    [Fact]
    public void Segment_summary_round_trips_and_rejects_damage()
    {
        var summary = new SegmentSummary(10, 20, 5000, 111, 222, [new IndexEntry(10, 0, 111), new IndexEntry(15, 2000, 150)]);
        var bytes = summary.Serialize(512);
        var back = SegmentSummary.TryDeserialize(bytes)!;
        Assert.Equal((10L, 20L, 5000L, 111L, 222L), (back.BaseOffset, back.NextOffset, back.DataLength, back.FirstStoreTicks, back.LastStoreTicks));
        Assert.Equal(summary.Index, back.Index);
        bytes[20] ^= 1;
        Assert.Null(SegmentSummary.TryDeserialize(bytes));
        Assert.Null(SegmentSummary.TryDeserialize(bytes.AsSpan(0, 10)));
    }
}
