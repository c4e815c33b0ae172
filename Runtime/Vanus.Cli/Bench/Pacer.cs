using System.Diagnostics;

namespace Vanus.Cli.Bench;

/// <summary>Holds a rate-limited benchmark to its schedule; shared so that a run and its ceiling pace the same way.</summary>
internal static class Pacer
{
    /// <summary>Returns at the Stopwatch timestamp <paramref name="due"/>: sleeps while more than 2 ms away, then spins for precision.</summary>
    public static async ValueTask WaitUntilAsync(long due, CancellationToken cancellationToken)
    {
        var wait = due - Stopwatch.GetTimestamp();
        if (wait > Stopwatch.Frequency / 500)
        {
            // Wake 1 ms early: Task.Delay overshoots by up to a timer tick, the spin below does not.
            await Task.Delay(TimeSpan.FromSeconds((wait - (Stopwatch.Frequency / 1000)) / (double)Stopwatch.Frequency), cancellationToken).ConfigureAwait(false);
        }

        while (Stopwatch.GetTimestamp() < due)
        {
            Thread.SpinWait(20);
        }
    }
}
