using Microsoft.Extensions.Time.Testing;
using Vanus.Runtime.Broker;
using Vanus.Storage.Files;
using Vanus.Storage.Log;
using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Log;

/// <summary>
/// Power losses at random moments on the simulated disk, which drops every unsynced byte and directory change and may
/// tear the last write.
/// Each policy's promise is checked after every recovery: under <c>always</c> every completed append survives, under
/// <c>interval</c> every append completed an interval before the loss survives, and under every policy the offsets are
/// contiguous, every record read is intact, and appends go on.
/// </summary>
public class PowerLossTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    [Theory]
    [InlineData(SyncPolicy.Always)]
    [InlineData(SyncPolicy.Interval)]
    [InlineData(SyncPolicy.None)]
    public async Task Every_policy_keeps_its_promise_through_random_power_losses(SyncPolicy sync)
    {
        for (var seed = 0; seed < 40; seed++)
        {
            await RunAsync(sync, seed);
        }
    }

    private static async Task RunAsync(SyncPolicy sync, int seed)
    {
        var random = new Random(seed);
        var fs = FileSystems.Simulated();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        var options = Options(fs, time, sync, segmentSize: random.Next(2) == 0 ? 4096 : 32 << 10) with { SyncInterval = Interval };
        var mustSurvive = new SortedDictionary<long, long>();
        var completedAt = new List<(long Offset, long Number, DateTimeOffset When)>();
        long number = 0;
        for (var life = 0; life < 4; life++)
        {
            var log = await OpenAsync(options);
            log.InlineIdleThreshold = random.Next(2) == 0 ? 0 : long.MaxValue;
            await VerifyAsync(log, mustSurvive, sync, seed, life);
            completedAt.Clear();

            var steps = random.Next(1, 40);
            var inFlight = new List<(Task<long> Task, long Number)>();
            for (var step = 0; step < steps; step++)
            {
                switch (random.Next(11))
                {
                    case < 6:
                        var batch = Enumerable.Range(0, random.Next(1, 12)).Select(_ => number++).ToList();
                        if (random.Next(3) == 0)
                        {
                            var first = await log.AppendBatchAsync([.. batch.Select(n => MakeEvent(n, random.Next(10, 400)))]);
                            completedAt.AddRange(batch.Select((n, k) => (first + k, n, time.GetUtcNow())));
                            break;
                        }

                        var tasks = batch.Select(n => (log.AppendAsync(MakeEvent(n, random.Next(10, 400))).AsTask(), n)).ToList();
                        foreach (var (task, n) in tasks)
                        {
                            completedAt.Add((await task, n, time.GetUtcNow()));
                        }

                        break;
                    case < 8:
                        time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 15)));
                        await log.WhenIdleAsync();
                        break;
                    case 8:
                        await log.SealAsync();
                        break;
                    case 9:
                        await log.ReadAsync(log.EarliestOffset, random.Next(1, 5000));
                        break;
                    default:
                        // A truncation is durable when it returns: what it cut never comes back, what follows survives per policy.
                        var to = log.EarliestOffset + (long)((log.NextOffset - log.EarliestOffset) * random.NextDouble());
                        await log.TruncateAsync(to);
                        foreach (var cut in mustSurvive.Keys.Where(k => k >= to).ToList())
                        {
                            mustSurvive.Remove(cut);
                        }

                        completedAt.RemoveAll(c => c.Offset >= to);
                        break;
                }
            }

            // Some appends are still on their way when the power goes.
            for (var i = random.Next(0, 20); i > 0; i--)
            {
                var n = number++;
                inFlight.Add((log.AppendAsync(MakeEvent(n, random.Next(10, 400))).AsTask(), n));
            }

            var lossTime = time.GetUtcNow();
            fs.PowerLoss(random);
            foreach (var (task, n) in inFlight)
            {
                try
                {
                    completedAt.Add((await task, n, lossTime));
                }
                catch (IOException)
                {
                    // Lost with the power: no promise was made.
                }
            }

            log.Abandon();
            foreach (var (offset, n, when) in completedAt)
            {
                var promised = sync switch
                {
                    SyncPolicy.Always => true,
                    SyncPolicy.Interval => when <= lossTime - Interval,
                    _ => false,
                };
                if (promised)
                {
                    mustSurvive[offset] = n;
                }
            }
        }

        await using var final = await OpenAsync(options);
        await VerifyAsync(final, mustSurvive, sync, seed, 99);
    }

    private static async Task VerifyAsync(SegmentLog log, SortedDictionary<long, long> mustSurvive, SyncPolicy sync, int seed, int life)
    {
        var context = $"policy {sync}, seed {seed}, life {life}";
        var all = await ReadAllAsync(log);
        for (var i = 0; i < all.Count; i++)
        {
            Assert.True(all[i].Offset == i, $"{context}: offset {all[i].Offset} at position {i}");
            Assert.True(MakeEvent(DataNumber(all[i].Event), all[i].Event.Data!.Value.Length).Equals(all[i].Event), $"{context}: record {i} is not an event that was appended");
        }

        foreach (var (offset, n) in mustSurvive)
        {
            Assert.True(offset < all.Count, $"{context}: completed append {offset} is lost (log ends at {all.Count})");
            Assert.True(DataNumber(all[(int)offset].Event) == n, $"{context}: offset {offset} holds {DataNumber(all[(int)offset].Event)}, expected {n}");
        }

        // Offsets above the surviving end were never promised and may be reused: forget them.
        foreach (var gone in mustSurvive.Keys.Where(k => k >= all.Count).ToList())
        {
            mustSurvive.Remove(gone);
        }

        var next = await log.AppendAsync(MakeEvent(1_000_000 + life, 20));
        Assert.Equal(all.Count, next);
        await log.FlushAsync();
        mustSurvive[next] = 1_000_000 + life;
    }
}
