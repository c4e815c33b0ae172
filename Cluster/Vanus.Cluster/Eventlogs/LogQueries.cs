using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;
using Vanus.Storage;

namespace Vanus.Cluster.Eventlogs;

/// <summary>
/// The read side of an eventlog, over any <see cref="IEventLog"/> (a single writer's, or a replica's committed prefix):
/// reads by offset (waiting for the first event when asked), reads of scattered offsets, and offsets by time. Each query
/// returns its answer (a reply or a <see cref="Refusal"/>) and never throws.
/// </summary>
internal static class LogQueries
{
    // A read answers with at most this many bytes of stored records (and at least one record), so a reply stays far
    // below the transport's frame limit whatever count was asked for.
    private const int ReadBudgetBytes = 4 << 20;

    /// <summary>The answer to a read that needs no I/O (a bad count, an offset at or past the end without a wait, one retention removed), or null.</summary>
    public static object? Immediate(IEventLog log, ReadEvents command)
    {
        if (command.Count <= 0)
        {
            return new Refusal(BrokerErrorKind.Invalid, $"count must be positive, not {command.Count}", "count");
        }

        var (earliest, next) = (log.EarliestOffset, log.NextOffset);
        if (command.Offset > next || (command.Offset == next && command.WaitTicks <= 0))
        {
            return new ReadReply([]);
        }

        return command.Offset < next && command.Offset < earliest ? OutOfRange(command.Offset, earliest, next) : null;
    }

    /// <summary>Reads from the command's offset; at the end, waits (up to the command's wait, or until <paramref name="closing"/>) for the first event.</summary>
    public static async Task<object> ReadAsync(IEventLog log, ReadEvents command, CancellationToken closing)
    {
        if (command.Offset >= log.NextOffset)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(closing);
            wait.CancelAfter(TimeSpan.FromTicks(Math.Max(command.WaitTicks, 0)));
            try
            {
                await log.WaitForAsync(command.Offset, wait.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // a wait that ends (cancelled, or the log faulted) is answered as an empty read; the next read reports a fault
            catch (Exception)
#pragma warning restore CA1031
            {
                return new ReadReply([]);
            }
        }

        try
        {
            var records = new List<StoredRecord>(Math.Min(command.Count, 1024));
            var offset = command.Offset;
            var budget = ReadBudgetBytes;
            while (records.Count < command.Count && budget > 0 && offset < log.NextOffset)
            {
                var batch = await log.ReadAsync(offset, Math.Min(budget, 1 << 20), command.Count - records.Count, CancellationToken.None).ConfigureAwait(false);
                if (batch.Count == 0)
                {
                    break;
                }

                foreach (var stored in batch)
                {
                    if (records.Count == command.Count)
                    {
                        break;
                    }

                    records.Add(new StoredRecord(stored.Offset, stored.StoreTime.UtcTicks, stored.Event));
                    // Attributes count as much as data: an event may carry a megabyte in them.
                    budget -= 64 + (int)Math.Min(int.MaxValue, EventSize.Of(stored.Event));
                    offset = stored.Offset + 1;
                }
            }

            return new ReadReply(records);
        }
        catch (OffsetOutOfRangeException ex)
        {
            // Retention removed the start of the range between the check and the read.
            return OutOfRange(command.Offset, ex.Earliest, ex.Next);
        }
#pragma warning disable CA1031 // a read failure is the reader's answer, never thrown on a pool thread
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new Refusal(BrokerErrorKind.Unavailable, $"eventlog {command.EntityId}: reading offset {command.Offset} failed: {ex.Message}", null);
        }
    }

    /// <summary>Reads the events at the given offsets (runs of adjacent ones together); offsets no longer or not yet stored are left out.</summary>
    public static async Task<object> ReadOffsetsAsync(IEventLog log, ReadOffsets command)
    {
        try
        {
            var wanted = command.Offsets.Distinct().Order().ToArray();
            var records = new List<StoredRecord>(wanted.Length);
            var (earliest, next) = (log.EarliestOffset, log.NextOffset);
            var i = 0;
            while (i < wanted.Length)
            {
                // One read per run of adjacent offsets.
                var start = wanted[i];
                var end = i;
                while (end + 1 < wanted.Length && wanted[end + 1] == wanted[end] + 1 && end - i < 4095)
                {
                    end++;
                }

                i = end + 1;
                if (wanted[end] < earliest || start >= next)
                {
                    continue;
                }

                // Offsets retention removed are left out; the rest of the run is still read.
                var position = Math.Max(start, earliest);
                while (position <= wanted[end])
                {
                    var batch = await log.ReadAsync(position, 1 << 20, (int)(wanted[end] - position + 1)).ConfigureAwait(false);
                    if (batch.Count == 0)
                    {
                        break;
                    }

                    foreach (var stored in batch)
                    {
                        records.Add(new StoredRecord(stored.Offset, stored.StoreTime.UtcTicks, stored.Event));
                        position = stored.Offset + 1;
                    }
                }
            }

            return new ReadReply(records);
        }
#pragma warning disable CA1031 // a read failure is the reader's answer, never thrown on a pool thread
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new Refusal(BrokerErrorKind.Unavailable, $"eventlog {command.EntityId}: reading {command.Offsets.Count} offsets failed: {ex.Message}", null);
        }
    }

    /// <summary>The first offset stored at or after the command's time.</summary>
    public static async Task<object> FindAsync(IEventLog log, FindOffset command)
    {
        try
        {
            return new OffsetReply(await log.FindOffsetAsync(command.Time).ConfigureAwait(false));
        }
#pragma warning disable CA1031 // a lookup failure is the caller's answer, never thrown on a pool thread
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new Refusal(BrokerErrorKind.Unavailable, $"eventlog {command.EntityId}: finding the offset at {command.Time:O} failed: {ex.Message}", null);
        }
    }

    private static Refusal OutOfRange(long offset, long earliest, long next) => new(
        BrokerErrorKind.Invalid,
        $"offset {offset} is no longer stored: the eventlog holds offsets {earliest} to {next - 1}",
        "offset");
}
