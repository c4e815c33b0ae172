using System.Net;
using System.Text;

namespace Vanus.Node.Tests;

/// <summary>
/// After a SIGKILL, the real node tells a torn tail (cut, appends go on) from damaged synced records (reported with
/// their position; the eventlog serves reads before them and refuses appends, nothing cut).
/// </summary>
public sealed class CorruptionTests : NodeDataTests
{
    private const int Events = 30;

    [Fact]
    public async Task A_torn_tail_after_a_kill_is_cut_and_every_acknowledged_event_survives()
    {
        var segment = await FillAndKillAsync();

        // What a write cut short leaves past the last record: a frame header promising more bytes than follow.
        var length = new FileInfo(segment).Length;
        var end = EndOfRecords(segment);
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.Write))
        {
            file.Position = end;
            file.Write([0x40, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 30, 0, 0, 0, 0, 0, 0, 0]);
        }

        Assert.Equal(length, new FileInfo(segment).Length);
        await using var node = await NodeProcess.StartAsync(Data);
        using var http = node.Client();
        Assert.Equal(Events, (await Api.ReadAllAsync(http, "orders")).Count);
        using var put = await http.SendAsync(Api.Binary("gateway/orders", "after"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Contains("cut a torn tail", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Damaged_synced_records_are_reported_with_their_position_and_the_eventlog_turns_read_only()
    {
        var segment = await FillAndKillAsync();
        var damaged = RecordPosition(segment, 10);
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.Write))
        {
            file.Position = damaged + 30;
            file.Write([0x01, 0x02, 0x03]);
        }

        var after = await File.ReadAllBytesAsync(segment);
        await using var node = await NodeProcess.StartAsync(Data);
        using var http = node.Client();

        // Reads serve the records before the damage.
        var read = await Api.ReadAllAsync(http, "orders");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"e-{i}"), read.Select(e => (string)e["id"]!));

        // Appends are refused with the reason, and the node's log names the file and the position.
        using var put = await http.SendAsync(Api.Binary("gateway/orders", "refused"));
        var text = await put.Content.ReadAsStringAsync();
        Assert.True(put.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)put.StatusCode} {text}");
        Assert.Contains("read-only", text, StringComparison.Ordinal);
        Assert.Contains($"at byte {damaged}", node.Output, StringComparison.Ordinal);
        Assert.Contains("is read-only", node.Output, StringComparison.Ordinal);

        // Nothing was cut: the records after the damage are still on disk for an operator (or a replica) to act on.
        Assert.Equal(after, await File.ReadAllBytesAsync(segment));
    }

    /// <summary>Creates a one-eventlog bus synced on every append, ingests <see cref="Events"/> events, kills the node; answers the bus's segment file.</summary>
    private async Task<string> FillAndKillAsync()
    {
        await using (var node = await NodeProcess.StartAsync(Data))
        {
            using var http = node.Client();
            await Api.CreateBusAsync(http, "orders", eventlogs: 1, sync: "always");
            for (var i = 0; i < Events; i++)
            {
                using var put = await http.SendAsync(Api.Binary("gateway/orders", $"e-{i}", $"payload {i:D4}"));
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            }

            await node.KillAsync();
        }

        // The bus's segment is the one holding the events (timer logs and the dead-letter bus hold none).
        var marker = Encoding.UTF8.GetBytes("payload 0000");
        return Directory.GetFiles(Path.Combine(Data, "eventlogs"), "*.seg", SearchOption.AllDirectories)
            .Single(f => File.ReadAllBytes(f).AsSpan().IndexOf(marker) >= 0);
    }

    /// <summary>The byte position of record <paramref name="index"/> (frames: [length u32][crc u32][offset i64][stime i64][payload]).</summary>
    private static long RecordPosition(string segment, int index)
    {
        var bytes = File.ReadAllBytes(segment);
        long position = 0;
        for (var i = 0; i < index; i++)
        {
            position += 24 + BitConverter.ToUInt32(bytes, (int)position);
        }

        return position;
    }

    private static long EndOfRecords(string segment) => RecordPosition(segment, Events);
}
