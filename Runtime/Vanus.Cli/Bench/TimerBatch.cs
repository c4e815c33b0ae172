using System.Buffers;
using System.Globalization;
using System.Text;
using Vanus.Runtime.Broker;

namespace Vanus.Cli.Bench;

/// <summary>
/// The events <c>bench timer</c> sends and how it recognises them when it reads them back: event <c>i</c> of run <c>r</c>
/// has the id <c>r-i</c> and a delivery time fixed by <c>i</c> alone, so nothing per event is kept while they wait.
/// Batches are written straight as <c>application/cloudevents-batch+json</c>, without building events first.
/// </summary>
internal sealed class TimerBatch
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";
    private const int TimeLength = 27;

    private readonly string _run;
    private readonly long _timers;
    private readonly long _firstDue;
    private readonly long _window;
    private readonly byte[] _head;
    private readonly byte[] _middle;
    private readonly byte[] _tail;

    /// <param name="run">The run's id, the prefix of every event id.</param>
    /// <param name="timers">How many events the run sends.</param>
    /// <param name="firstDue">When event 0 is due; event <paramref name="timers"/> − 1 is due <paramref name="window"/> later.</param>
    /// <param name="window">The span the delivery times are spread over, evenly.</param>
    /// <param name="size">Bytes of data per event.</param>
    public TimerBatch(string run, long timers, DateTimeOffset firstDue, TimeSpan window, int size)
    {
        _run = run;
        _timers = timers;
        _firstDue = Microseconds(firstDue.UtcTicks);
        _window = window.Ticks;
        // Printable data, so that the batch carries it as a JSON string of exactly `size` bytes rather than base64.
        var data = string.Create(size, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + (i % 26));
            }
        });
        _head = Encoding.UTF8.GetBytes($$"""{"specversion":"1.0","id":"{{run}}-""");
        _middle = Encoding.UTF8.GetBytes($"\",\"source\":\"/vanus/bench\",\"type\":\"vanus.bench.timer\",\"datacontenttype\":\"text/plain\",\"{DeliveryTimes.Attribute}\":\"");
        _tail = Encoding.UTF8.GetBytes($"\",\"data\":\"{data}\"}}");
    }

    /// <summary>When event <paramref name="index"/> is due, in UTC ticks, at whole microseconds (what its timestamp can carry).</summary>
    public long DueTicks(long index) =>
        _timers == 1 ? _firstDue : Microseconds(_firstDue + (long)((Int128)_window * index / (_timers - 1)));

    /// <summary>The index of an event of this run from its id, or -1 for an id that is not one of this run's.</summary>
    public long IndexOf(ReadOnlySpan<char> id)
    {
        if (id.Length <= _run.Length + 1 || !id.StartsWith(_run, StringComparison.Ordinal) || id[_run.Length] != '-'
            || !long.TryParse(id[(_run.Length + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= _timers)
        {
            return -1;
        }

        return index;
    }

    /// <summary>Writes events <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> − 1 as one batch.</summary>
    public byte[] Encode(long first, int count)
    {
        var buffer = new ArrayBufferWriter<byte>(count * (_head.Length + _middle.Length + _tail.Length + TimeLength + 24) + 2);
        buffer.Write("["u8);
        for (var i = first; i < first + count; i++)
        {
            if (i != first)
            {
                buffer.Write(","u8);
            }

            buffer.Write(_head);
            var span = buffer.GetSpan(20);
            i.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
            buffer.Advance(written);
            buffer.Write(_middle);
            span = buffer.GetSpan(TimeLength);
            new DateTime(DueTicks(i), DateTimeKind.Utc).TryFormat(span, out written, TimeFormat, CultureInfo.InvariantCulture);
            buffer.Advance(written);
            buffer.Write(_tail);
        }

        buffer.Write("]"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static long Microseconds(long ticks) => ticks - (ticks % 10);
}
