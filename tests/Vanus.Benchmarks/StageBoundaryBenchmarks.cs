using System.Threading.Tasks.Dataflow;
using BenchmarkDotNet.Attributes;
using Vanus.Operators.Linq;
using Vanus.Runtime.Pipeline;

namespace Vanus.Benchmarks;

/// <summary>
/// One in-process chain (select, where, select, sum) over 100,000 elements, three ways: fused pull stages (ADR 0003), the
/// same with one bounded async boundary, and TPL Dataflow blocks linked with bounded capacity. ADR 0006 reads the figures.
/// </summary>
[MemoryDiagnoser]
public class StageBoundaryBenchmarks
{
    private const int Count = 100_000;

    /// <summary>Fused pull stages: one task pulls the whole chain.</summary>
    [Benchmark(Baseline = true)]
    public Task<long> PullStages() => Source.From(Enumerable.Range(0, Count))
        .Select(x => x * 2)
        .Where(x => x % 3 != 0)
        .Select(x => (long)x)
        .RunWith(Sink.Aggregate<long, long>(0, (sum, x) => sum + x));

    /// <summary>Pull stages with one bounded channel between the first stage and the rest (<c>.Async(256)</c>).</summary>
    [Benchmark]
    public Task<long> PullStagesWithBoundary() => Source.From(Enumerable.Range(0, Count))
        .Select(x => x * 2)
        .Async(256)
        .Where(x => x % 3 != 0)
        .Select(x => (long)x)
        .RunWith(Sink.Aggregate<long, long>(0, (sum, x) => sum + x));

    /// <summary>Dataflow: a TransformBlock, a TransformManyBlock for the filter, a TransformBlock and an ActionBlock, each bounded at 256.</summary>
    [Benchmark]
    public async Task<long> DataflowBlocks()
    {
        var bounded = new ExecutionDataflowBlockOptions { BoundedCapacity = 256 };
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        var doubled = new TransformBlock<int, int>(x => x * 2, bounded);
        var kept = new TransformManyBlock<int, int>(x => x % 3 != 0 ? [x] : [], bounded);
        var widened = new TransformBlock<int, long>(x => x, bounded);
        long sum = 0;
        var total = new ActionBlock<long>(x => sum += x, bounded);
        doubled.LinkTo(kept, link);
        kept.LinkTo(widened, link);
        widened.LinkTo(total, link);
        for (var i = 0; i < Count; i++)
        {
            await doubled.SendAsync(i).ConfigureAwait(false);
        }

        doubled.Complete();
        await total.Completion.ConfigureAwait(false);
        return sum;
    }
}
