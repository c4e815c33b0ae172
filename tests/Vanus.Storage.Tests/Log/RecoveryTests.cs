using Vanus.Runtime.Broker;
using Vanus.Storage.Files;
using Vanus.Storage.Segments;
using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Log;

public class RecoveryTests : SimulatedDiskTests
{

    private async Task<EventLogOptions> FillAsync(int count, bool clean, long segmentSize = 4096, SyncPolicy sync = SyncPolicy.Always)
    {
        var options = Options(Disk, Clock, sync, segmentSize: segmentSize);
        var log = await OpenAsync(options);
        for (var i = 0; i < count; i++)
        {
            await log.AppendAsync(MakeEvent(i, 100));
        }

        if (clean)
        {
            await log.DisposeAsync();
        }
        else
        {
            log.Abandon();
        }

        return options;
    }

    private string ActiveSegmentPath() => Disk.List(Dir, ".seg").Order().Last();

    private static long LastRecordPosition(byte[] file)
    {
        long position = 0, last = -1;
        while (RecordFormat.Check(file.AsSpan((int)position), 1 << 20, out var header) == RecordCheck.Valid)
        {
            last = position;
            position += header.FrameSize;
        }

        return last;
    }

    [Fact]
    public async Task A_flipped_byte_in_the_unsynced_tail_is_truncated_and_appends_continue()
    {
        // Under sync none nothing past the checkpoint was ever made durable: a bad record there is a torn write.
        var options = await FillAsync(50, clean: false, sync: SyncPolicy.None);
        var path = ActiveSegmentPath();
        var position = LastRecordPosition(Disk.ReadAllBytes(path));
        Disk.Corrupt(path, position + 40, [0xFF]);

        await using var log = await OpenAsync(options);
        Assert.Equal(path, log.Recovery.TruncatedFile);
        Assert.Equal(position, log.Recovery.TruncatedAt);
        Assert.Contains("fails its CRC", log.Recovery.Reason);
        Assert.Equal(49, log.NextOffset);
        Assert.Equal(49, await log.AppendAsync(MakeEvent(1049, 100)));
        var all = await ReadAllAsync(log);
        Assert.Equal(Enumerable.Range(0, 49).Select(i => (long)i).Append(1049), all.Select(a => DataNumber(a.Event)));
    }

    [Fact]
    public async Task A_short_record_at_the_end_is_truncated()
    {
        var options = await FillAsync(30, clean: false);
        var path = ActiveSegmentPath();
        var bytes = Disk.ReadAllBytes(path);
        var position = LastRecordPosition(bytes);
        // Zero the second half of the last record, as a write cut short would leave it.
        Disk.Corrupt(path, position + 60, new byte[200]);
        await using var log = await OpenAsync(options);
        Assert.Equal(29, log.NextOffset);
        Assert.NotNull(log.Recovery.Reason);
    }

    [Fact]
    public async Task A_flipped_byte_in_the_middle_of_a_sealed_segment_is_reported_with_its_position()
    {
        var options = await FillAsync(200, clean: true);
        var first = Disk.List(Dir, ".seg").Order().First();
        Disk.Corrupt(first, 600, [0x5A, 0x5A]);

        await using var log = await OpenAsync(options);
        var error = await Assert.ThrowsAsync<LogCorruptedException>(async () => await ReadAllAsync(log));
        Assert.Equal(first, error.FilePath);
        Assert.InRange(error.Position, 400, 600);
        Assert.Contains(first, error.Message);
        // The rest of the log still reads.
        var later = log.Segments[2].BaseOffset;
        Assert.NotEmpty(await log.ReadAsync(later));
    }

    [Fact]
    public async Task Damage_to_synced_records_opens_the_log_read_only_with_its_position_and_cuts_nothing()
    {
        // Every append was synced, so the checkpoint vouches for all 50: a bad record among them is corruption, even
        // with valid records after it.
        var options = await FillAsync(50, clean: false, segmentSize: 1 << 20);
        var path = ActiveSegmentPath();
        var before = Disk.ReadAllBytes(path);
        var damaged = RecordPosition(before, 20);
        var frame = RecordPosition(before, 21) - damaged;
        Disk.Corrupt(path, damaged + 30, [0x01, 0x02, 0x03]);

        await using (var log = await OpenAsync(options))
        {
            Assert.True(log.Recovery.ReadOnly);
            Assert.Equal(path, log.Recovery.CorruptFile);
            Assert.Equal(damaged, log.Recovery.CorruptAt);
            Assert.Contains("fails its CRC", log.Recovery.Reason);
            Assert.Null(log.Recovery.TruncatedFile);

            // Reads serve what precedes the damage; appends are refused with what to do.
            Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), (await ReadAllAsync(log)).Select(a => DataNumber(a.Event)));
            var refused = await Assert.ThrowsAnyAsync<IOException>(async () => await log.AppendAsync(MakeEvent(99, 100)));
            Assert.Contains("read-only", refused.Message);
            Assert.Contains("checkpoint", refused.Message);
        }

        // Nothing on disk changed: reopened, it is read-only again, the records after the damage still there.
        Assert.Equal(before.Length, Disk.ReadAllBytes(path).Length);
        Assert.Equal(before[(int)(damaged + frame)..], Disk.ReadAllBytes(path)[(int)(damaged + frame)..]);
        await using (var again = await OpenAsync(options))
        {
            Assert.True(again.Recovery.ReadOnly);
        }

        // The operator's decision: without the checkpoint the damage is cut like a torn tail and appends resume.
        Disk.Delete(Dir + "/checkpoint");
        await using var cut = await OpenAsync(options);
        Assert.False(cut.Recovery.ReadOnly);
        Assert.Equal(damaged, cut.Recovery.TruncatedAt);
        Assert.Equal(20, await cut.AppendAsync(MakeEvent(1020, 100)));
    }

    private static long RecordPosition(byte[] file, int record)
    {
        long position = 0;
        for (var i = 0; i < record; i++)
        {
            RecordFormat.Check(file.AsSpan((int)position), 1 << 20, out var header);
            position += header.FrameSize;
        }

        return position;
    }

    [Fact]
    public async Task A_lost_or_damaged_index_file_is_rebuilt_from_the_segment()
    {
        var options = await FillAsync(200, clean: true);
        var indexes = Disk.List(Dir, ".idx").Order().ToList();
        Disk.Delete(indexes[0]);
        Disk.Corrupt(indexes[1], 10, [0xEE]);
        await using var log = await OpenAsync(options);
        Assert.Equal(200, (await ReadAllAsync(log)).Count);
        Assert.Equal(indexes.Count, Disk.List(Dir, ".idx").Count);
        Assert.NotNull(SegmentSummary.TryDeserialize(Disk.ReadAllBytes(indexes[1])));
    }

    [Fact]
    public async Task A_crash_in_the_middle_of_sealing_resumes_the_segment_as_active()
    {
        var options = await FillAsync(200, clean: true);
        // The state a crash before the index rename leaves: no index for the last sealed segment, no successor yet.
        var segments = Disk.List(Dir, ".seg").Order().ToList();
        Disk.Delete(segments[^1]);
        Disk.Delete(Disk.List(Dir, ".idx").Order().Last());
        var sealing = long.Parse(Path.GetFileNameWithoutExtension(segments[^2]), System.Globalization.CultureInfo.InvariantCulture);
        using (var checkpoint = Disk.Open(Dir + "/checkpoint", create: false))
        {
            new Checkpoint(1000, sealing, 0, sealing, Clean: false).Write(checkpoint);
        }

        await using var log = await OpenAsync(options);
        var expectedNext = long.Parse(Path.GetFileNameWithoutExtension(segments[^1]), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expectedNext, log.NextOffset);
        Assert.False(log.Segments[^1].Sealed);
        Assert.Equal(expectedNext, await log.AppendAsync(MakeEvent(expectedNext, 100)));
        Assert.Equal(expectedNext + 1, (await ReadAllAsync(log)).Count);
    }

    [Fact]
    public async Task Stray_bytes_past_the_end_are_zeroed_so_they_can_never_pass_for_records()
    {
        var options = await FillAsync(5, clean: false, segmentSize: 1 << 16);
        var path = ActiveSegmentPath();
        var end = LastRecordPosition(Disk.ReadAllBytes(path));
        Disk.Corrupt(path, 5000, [1, 2, 3, 4, 5, 6, 7, 8]);
        await using var log = await OpenAsync(options);
        Assert.Contains("stray bytes", log.Recovery.Reason);
        Assert.True(end < 5000);
        Assert.All(Disk.ReadAllBytes(path)[5000..5008], b => Assert.Equal(0, b));
        Assert.Equal(5, log.NextOffset);
    }

    [Fact]
    public async Task A_gap_between_segments_is_reported()
    {
        var options = await FillAsync(300, clean: true);
        var segments = Disk.List(Dir, ".seg").Order().ToList();
        Disk.Delete(segments[1]);
        Disk.Delete(Disk.List(Dir, ".idx").Order().ElementAt(1));
        var error = await Assert.ThrowsAsync<LogCorruptedException>(async () => await EventLog.OpenAsync(options));
        Assert.Contains("records are missing", error.Message);
    }

    [Fact]
    public async Task An_unexpected_file_among_the_segments_is_named()
    {
        Disk.CreateDirectory(Dir);
        Disk.Open(Dir + "/notes.seg", create: true).Dispose();
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await EventLog.OpenAsync(Options(Disk, Clock)));
        Assert.Contains("notes.seg", error.Message);
    }

    [Fact]
    public async Task A_clean_close_is_recognised()
    {
        var options = await FillAsync(10, clean: true);
        await using (var log = await OpenAsync(options))
        {
            Assert.True(log.Recovery.WasClean);
            Assert.Equal(10, log.Recovery.RecordsVerified);
        }

        options = await FillAsync(0, clean: false);
        await using (var log = await OpenAsync(options))
        {
            Assert.False(log.Recovery.WasClean);
            Assert.Equal(10, log.NextOffset);
        }
    }

    [Theory]
    [InlineData(SyncPolicy.Always)]
    [InlineData(SyncPolicy.Interval)]
    [InlineData(SyncPolicy.None)]
    public async Task A_kill_then_a_reopen_then_a_power_loss_keeps_every_synced_append_and_opens(SyncPolicy sync)
    {
        for (var seed = 0; seed < 12; seed++)
        {
            var fs = FileSystems.Simulated();
            var options = Options(fs, Clock, sync, segmentSize: 1 << 20);
            var log = await OpenAsync(options);
            log.InlineIdleThreshold = long.MaxValue;
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(i, await log.AppendAsync(MakeEvent(i, 100)));
            }

            // Written but not synced when the process dies: under always, appends whose sync never came.
            var inFlight = new List<Task<long>>();
            using (var gate = fs.GateSyncs())
            {
                for (var i = 20; i < 30; i++)
                {
                    inFlight.Add(log.AppendAsync(MakeEvent(i, 100)).AsTask());
                }

                if (sync == SyncPolicy.Always)
                {
                    await gate.ArrivalsAsync(1);
                }
                else
                {
                    await Task.WhenAll(inFlight);
                }

                log.Abandon();
            }

            foreach (var task in inFlight)
            {
                try
                {
                    await task;
                }
                catch (IOException)
                {
                    // The kill came before its sync.
                }
                catch (ObjectDisposedException)
                {
                }
            }

            // kill -9: the page cache survives, so the reopen sees the unsynced records and its checkpoint covers them.
            var reopened = await OpenAsync(options);
            Assert.True(reopened.NextOffset >= 20, $"seed {seed}: the reopen lost synced appends ({reopened.NextOffset})");
            reopened.Abandon();
            fs.PowerLoss(new Random(seed));

            await using var final = await OpenAsync(options);
            var all = await ReadAllAsync(final);
            var expected = sync == SyncPolicy.Always ? 20 : 0;
            Assert.True(all.Count >= expected, $"seed {seed}: {all.Count} records survive, {expected} were synced");
            Assert.Equal(Enumerable.Range(0, all.Count).Select(i => (long)i), all.Select(a => a.Offset));
            Assert.Equal(Enumerable.Range(0, all.Count).Select(i => (long)i), all.Select(a => DataNumber(a.Event)));
            Assert.Equal(all.Count, await final.AppendAsync(MakeEvent(all.Count, 100)));
        }
    }

    [Fact]
    public async Task A_sealed_segment_without_its_index_and_with_a_zeroed_page_is_reported_and_nothing_is_cut()
    {
        var options = await FillAsync(200, clean: true);
        var first = Disk.List(Dir, ".seg").Order().First();
        Disk.Delete(Disk.List(Dir, ".idx").Order().First());
        var before = Disk.ReadAllBytes(first);

        // Zeros from the start of a record in the middle look like the end of the records to a scan.
        long position = 0;
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(RecordCheck.Valid, RecordFormat.Check(before.AsSpan((int)position), 1 << 20, out var header));
            position += header.FrameSize;
        }

        Disk.Corrupt(first, position, new byte[512]);
        var damaged = Disk.ReadAllBytes(first);

        var error = await Assert.ThrowsAsync<LogCorruptedException>(async () => await EventLog.OpenAsync(options));
        Assert.Equal(first, error.FilePath);
        Assert.Equal(position, error.Position);
        Assert.Equal(damaged, Disk.ReadAllBytes(first));
        Assert.False(Disk.Exists($"{Dir}/00000000000000000000.idx"));
    }

    [Fact]
    public async Task A_truncation_is_durable_before_appends_after_it_complete()
    {
        for (var seed = 0; seed < 30; seed++)
        {
            var fs = FileSystems.Simulated();
            var options = Options(fs, Clock, SyncPolicy.Always, segmentSize: 4096);
            var log = await OpenAsync(options);
            for (var i = 0; i < 200; i++)
            {
                await log.AppendAsync(MakeEvent(i, 100));
            }

            // Into the middle of a sealed segment: later segments and the target's index file go.
            await log.TruncateAsync(57);
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(57 + i, await log.AppendAsync(MakeEvent(1000 + i, 100)));
            }

            fs.PowerLoss(new Random(seed));
            log.Abandon();

            await using var reopened = await OpenAsync(options);
            var all = await ReadAllAsync(reopened);
            Assert.Equal(Enumerable.Range(0, 57).Concat(Enumerable.Range(1000, 5)).Select(i => (long)i), all.Select(a => DataNumber(a.Event)));
        }
    }

    [Fact]
    public async Task A_stale_index_over_records_past_its_end_is_ignored_and_the_segment_rescanned()
    {
        var options = Options(Disk, Clock, segmentSize: 4096);
        var log = await OpenAsync(options);
        // Records of this size leave room at the end of a sealed segment for smaller ones.
        for (var i = 0; i < 30; i++)
        {
            await log.AppendAsync(MakeEvent(i, 400));
        }

        var firstIndex = Disk.List(Dir, ".idx").Order().First();
        var stale = Disk.ReadAllBytes(firstIndex);
        var sealedLength = Disk.ReadAllBytes(Disk.List(Dir, ".seg").Order().First()).Length;
        await log.TruncateAsync(3);

        // Small records after the cut run past where the old index says the segment ends.
        var next = 3;
        while (log.Segments.Count == 1 && log.Segments[0].StoredBytes <= sealedLength)
        {
            Assert.Equal(next, await log.AppendAsync(MakeEvent(next, 20)));
            next++;
        }

        Assert.Single(log.Segments);
        await log.FlushAsync();
        log.Abandon();

        // The state a lost unlink of the index would leave.
        using (var file = Disk.Open(firstIndex, create: true))
        {
            file.Write(0, stale);
            file.Sync();
        }

        Disk.SyncDirectory(Dir);
        await using var reopened = await OpenAsync(options);
        Assert.Equal(next, reopened.NextOffset);
        Assert.Equal(Enumerable.Range(0, next).Select(i => (long)i), (await ReadAllAsync(reopened)).Select(a => DataNumber(a.Event)));
        Assert.False(Disk.Exists(firstIndex));
        Assert.Equal(next, await reopened.AppendAsync(MakeEvent(next, 20)));
    }

    [Fact]
    public async Task An_open_that_fails_closes_every_file_it_opened()
    {
        var options = await FillAsync(300, clean: true);
        var segments = Disk.List(Dir, ".seg").Order().ToList();
        Assert.Equal(0, Disk.OpenHandles());

        // A gap is found after every segment file is open, before the catalog takes them.
        Disk.Delete(segments[1]);
        Disk.Delete(Disk.List(Dir, ".idx").Order().ElementAt(1));
        await Assert.ThrowsAsync<LogCorruptedException>(async () => await EventLog.OpenAsync(options));
        Assert.Equal(0, Disk.OpenHandles());

        // Damage in the active segment is found after the catalog took them.
        var active = Options(FileSystems.Simulated(), Clock);
        var fs = (ISimulatedFileSystem)active.FileSystem;
        await using (var log = await OpenAsync(active))
        {
            for (var i = 0; i < 20; i++)
            {
                await log.AppendAsync(MakeEvent(i, 100));
            }
        }

        using (var checkpoint = fs.Open(Dir + "/checkpoint", create: false))
        {
            new Checkpoint(1000, 99_999, 0, 99_999, Clean: false).Write(checkpoint);
        }

        await Assert.ThrowsAsync<LogCorruptedException>(async () => await EventLog.OpenAsync(active));
        Assert.Equal(0, fs.OpenHandles());
    }
}
