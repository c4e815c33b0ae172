using CsCheck;
using Microsoft.Extensions.Time.Testing;
using Vanus.Runtime.Broker;
using Vanus.Storage.Files;
using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Log;

/// <summary>Random sequences of appends, reads, seals, reopens and truncations against a list that models the log.</summary>
public class LogModelTests
{
    public abstract record Op;

    public sealed record Append(int Count, int Size, bool AsBatch) : Op;

    public sealed record Read(double At, int MaxBytes) : Op;

    public sealed record Seal : Op;

    public sealed record Reopen(bool Clean) : Op;

    public sealed record Truncate(double At) : Op;

    public sealed record Find(double At) : Op;

    private static readonly Gen<Op> Ops = Gen.Frequency(
        (6, (IGen<Op>)Gen.Select(Gen.Int[1, 30], Gen.Int[1, 700], Gen.Bool, (c, s, b) => (Op)new Append(c, s, b))),
        (3, Gen.Select(Gen.Double[0, 1], Gen.Int[1, 6000], (a, m) => (Op)new Read(a, m))),
        (1, Gen.Const((Op)new Seal())),
        (1, Gen.Bool.Select(c => (Op)new Reopen(c))),
        (1, Gen.Double[0, 1].Select(a => (Op)new Truncate(a))),
        (1, Gen.Double[0, 1].Select(a => (Op)new Find(a))));

    private static readonly Gen<(SyncPolicy, long, Op[])> Runs =
        Gen.Select(Gen.Enum<SyncPolicy>(), Gen.OneOf<long>(4096L, 16384L), Ops.Array[1, 40]);

    [Fact]
    public async Task The_log_behaves_like_a_list() =>
        await Runs.SampleAsync(async (sync, segmentSize, ops) => await RunAsync(sync, segmentSize, ops), iter: 150, threads: 1);

    private static async Task RunAsync(SyncPolicy sync, long segmentSize, Op[] ops)
    {
        var fs = FileSystems.Simulated();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        var options = Options(fs, time, sync, segmentSize);
        var model = new List<(long Number, DateTimeOffset Time)>();
        long number = 0;
        var log = await OpenAsync(options);
        try
        {
            foreach (var op in ops)
            {
                switch (op)
                {
                    case Append { AsBatch: true } a:
                        Assert.Equal(model.Count, await log.AppendBatchAsync([.. Enumerable.Range(0, a.Count).Select(i => MakeEvent(number + i, a.Size))]));
                        for (var i = 0; i < a.Count; i++)
                        {
                            model.Add((number++, time.GetUtcNow()));
                        }

                        time.Advance(TimeSpan.FromSeconds(1));
                        break;
                    case Append a:
                        for (var i = 0; i < a.Count; i++)
                        {
                            Assert.Equal(model.Count, await log.AppendAsync(MakeEvent(number, a.Size)));
                            model.Add((number++, time.GetUtcNow()));
                        }

                        time.Advance(TimeSpan.FromSeconds(1));
                        break;
                    case Read r:
                        var from = (long)(model.Count * r.At);
                        var got = await log.ReadAsync(from, r.MaxBytes);
                        Assert.Equal(from < model.Count, got.Count > 0);
                        for (var i = 0; i < got.Count; i++)
                        {
                            Assert.Equal(from + i, got[i].Offset);
                            Assert.Equal(model[(int)from + i].Number, DataNumber(got[i].Event));
                            Assert.Equal(model[(int)from + i].Time, got[i].StoreTime);
                        }

                        break;
                    case Seal:
                        await log.SealAsync();
                        break;
                    case Reopen re:
                        if (re.Clean)
                        {
                            await log.DisposeAsync();
                        }
                        else
                        {
                            await log.FlushAsync();
                            log.Abandon();
                        }

                        log = await OpenAsync(options);
                        Assert.Equal(re.Clean, log.Recovery.WasClean);
                        break;
                    case Truncate t:
                        var to = (long)(model.Count * t.At);
                        await log.TruncateAsync(to);
                        model.RemoveRange((int)to, model.Count - (int)to);
                        break;
                    case Find f when model.Count > 0:
                        var at = model[(int)((model.Count - 1) * f.At)].Time;
                        Assert.Equal(model.FindIndex(m => m.Time >= at), await log.FindOffsetAsync(at));
                        break;
                }

                Assert.Equal(model.Count, log.NextOffset);
            }

            var all = await ReadAllAsync(log);
            Assert.Equal(model.Select(m => m.Number), all.Select(s => DataNumber(s.Event)));
        }
        finally
        {
            await log.DisposeAsync();
        }
    }
}
