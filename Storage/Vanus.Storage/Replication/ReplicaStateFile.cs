using System.Buffers.Binary;
using System.Text;
using Vanus.Storage.Files;
using Vanus.Storage.Segments;

namespace Vanus.Storage.Replication;

/// <summary>A replica's vote state: the highest epoch it has seen and whom it voted for in that epoch (null: nobody yet).</summary>
public sealed record ReplicaVote(long Epoch, string? VotedFor)
{
    /// <summary>The state of a replica that has never voted.</summary>
    public static readonly ReplicaVote None = new(0, null);
}

/// <summary>
/// The <c>raft.state</c> file of one replica. Every change is written and synced before it is acted on (a vote reply, an
/// epoch change), so a replica never votes twice in an epoch nor goes back to an older one, whatever crash comes. Two
/// CRC-guarded slots are written in turn: a torn write leaves the previous state readable.
/// </summary>
public sealed class ReplicaStateFile : IDisposable
{
    /// <summary>The file's name in the replica's directory.</summary>
    public const string FileName = "raft.state";

    /// <summary>The longest voter name, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 200;

    private const int SlotSize = 256;
    private readonly IStorageFile _file;
    private long _sequence;

    private ReplicaStateFile(IStorageFile file, long sequence, ReplicaVote current)
    {
        _file = file;
        _sequence = sequence;
        Current = current;
    }

    /// <summary>The state as last saved.</summary>
    public ReplicaVote Current { get; private set; }

    /// <summary>Opens (or creates, as <see cref="ReplicaVote.None"/>) the state file in <paramref name="directory"/>.</summary>
    public static ReplicaStateFile Open(IFileSystem fs, string directory)
    {
        ArgumentNullException.ThrowIfNull(fs);
        fs.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        var existed = fs.Exists(path);
        var file = fs.Open(path, create: true, preallocate: SlotSize * 2);
        try
        {
            if (!existed)
            {
                // The entry must survive a power loss before anything relies on the state written into it.
                fs.SyncDirectory(directory);
                return new ReplicaStateFile(file, 0, ReplicaVote.None);
            }

            Span<byte> bytes = stackalloc byte[SlotSize * 2];
            var n = file.Read(0, bytes);
            (long Sequence, ReplicaVote Vote)? best = null;
            for (var slot = 0; slot < 2; slot++)
            {
                if (n >= (slot + 1) * SlotSize && Parse(bytes.Slice(slot * SlotSize, SlotSize)) is { } parsed && (best is null || parsed.Sequence > best.Value.Sequence))
                {
                    best = parsed;
                }
            }

            // No valid slot although slot 0 was written (only a second save writes it): the state is lost, and starting
            // from nothing could give a second vote in an epoch. A torn first save leaves only slot 1 touched.
            if (best is null && n >= SlotSize && bytes[..SlotSize].ContainsAnyExcept((byte)0))
            {
                throw new LogCorruptedException(path, 0, "neither copy of the vote state is readable; the replica must not vote until it is rebuilt from its group");
            }

            return new ReplicaStateFile(file, best?.Sequence ?? 0, best?.Vote ?? ReplicaVote.None);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Saves a new state and syncs it. The epoch never goes back, and within one epoch a vote, once given, never changes;
    /// anything else is a bug in the caller and throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public void Save(ReplicaVote state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var current = Current;
        if (state.Epoch < current.Epoch)
        {
            throw new InvalidOperationException($"the epoch may not go back from {current.Epoch} to {state.Epoch}");
        }

        if (state.Epoch == current.Epoch && current.VotedFor is not null && state.VotedFor != current.VotedFor)
        {
            throw new InvalidOperationException($"epoch {state.Epoch} already has a vote, for '{current.VotedFor}'");
        }

        var name = state.VotedFor is null ? [] : Encoding.UTF8.GetBytes(state.VotedFor);
        if (name.Length > MaxNameBytes)
        {
            throw new ArgumentException($"a voter name takes at most {MaxNameBytes} UTF-8 bytes, not {name.Length}", nameof(state));
        }

        if (state == current)
        {
            return;
        }

        var sequence = _sequence + 1;
        Span<byte> s = stackalloc byte[SlotSize];
        s.Clear();
        BinaryPrimitives.WriteInt64LittleEndian(s, sequence);
        BinaryPrimitives.WriteInt64LittleEndian(s[8..], state.Epoch);
        BinaryPrimitives.WriteInt16LittleEndian(s[16..], state.VotedFor is null ? (short)-1 : (short)name.Length);
        name.CopyTo(s[18..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[(SlotSize - 4)..], Crc32C.Compute(s[..(SlotSize - 4)]));
        _file.Write((sequence & 1) * SlotSize, s);
        _file.Sync();
        _sequence = sequence;
        Current = state;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();

    private static (long Sequence, ReplicaVote Vote)? Parse(ReadOnlySpan<byte> s)
    {
        if (!s[..(SlotSize - 4)].ContainsAnyExcept((byte)0) || Crc32C.Compute(s[..(SlotSize - 4)]) != BinaryPrimitives.ReadUInt32LittleEndian(s[(SlotSize - 4)..]))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt16LittleEndian(s[16..]);
        if (length > MaxNameBytes)
        {
            return null;
        }

        var votedFor = length < 0 ? null : Encoding.UTF8.GetString(s.Slice(18, length));
        return (BinaryPrimitives.ReadInt64LittleEndian(s), new ReplicaVote(BinaryPrimitives.ReadInt64LittleEndian(s[8..]), votedFor));
    }
}
