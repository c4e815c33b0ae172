using System.Diagnostics;
using System.Globalization;
using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Log;

/// <summary>
/// Kills (SIGKILL) a child process that is appending, at a random moment, many times over the same log, and checks on
/// reopen that every append the child saw complete is there, that offsets are contiguous and that appends go on.
/// </summary>
public class CrashTests
{
    // Small segments so that the child seals many of them and a kill can land in the middle of a seal.
    private const long SegmentSize = 256 << 10;

    [Theory]
    [InlineData("none")]
    [InlineData("interval")]
    [InlineData("always")]
    public async Task Killing_an_appending_process_loses_no_completed_append(string sync)
    {
        var dir = TempDirectory();
        try
        {
            // A fixed seed per policy, so that a failing run can be repeated.
            var random = new Random(sync switch { "none" => 11, "interval" => 23, _ => 37 });
            long expectedNext = 0;
            var segments = 0;
            for (var round = 0; round < 5; round++)
            {
                var killAfter = expectedNext + random.Next(500, sync == "always" ? 3000 : 60_000);
                var reported = await RunAndKillAsync(dir, sync, killAfter);
                Assert.True(reported >= killAfter, $"the child reported only up to {reported}");

                await using var log = await OpenAsync(new EventLogOptions(dir) { SegmentSize = SegmentSize });
                Assert.True(log.NextOffset > reported, $"round {round}: append {reported} completed in the child but the log ends at {log.NextOffset}");
                var offset = 0L;
                while (offset < log.NextOffset)
                {
                    var batch = await log.ReadAsync(offset, 4 << 20);
                    for (var i = 0; i < batch.Count; i++)
                    {
                        Assert.Equal(offset + i, batch[i].Offset);
                    }

                    offset += batch.Count;
                }

                segments = log.Segments.Count;
                var next = log.NextOffset;
                Assert.Equal(next, await log.AppendAsync(MakeEvent(next)));
                expectedNext = next + 1;
            }

            Assert.True(segments > 3, $"the runs should have crossed several seals, but the log has {segments} segments");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<long> RunAndKillAsync(string dir, string sync, long killAfter)
    {
        var vanus = Path.Combine(AppContext.BaseDirectory, "vanus.dll");
        Assert.True(File.Exists(vanus), $"the vanus executable is missing at {vanus}");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { vanus, "bench", "append", "--dir", dir, "--events", "100000000", "--size", "120", "--sync", sync, "--report-completed", "--segment-size", SegmentSize.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        long reported = -1;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("completed ", StringComparison.Ordinal))
                {
                    reported = Math.Max(reported, long.Parse(line.AsSpan(10), CultureInfo.InvariantCulture));
                    if (reported >= killAfter)
                    {
                        // SIGKILL: no flush, no checkpoint, no clean close; only what the process had written survives.
                        child.Kill();
                        break;
                    }
                }
            }
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }

            await child.WaitForExitAsync();
        }

        Assert.True(reported >= 0, $"the child reported nothing; stderr: {await stderr}");
        return reported;
    }
}
