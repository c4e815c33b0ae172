namespace Vanus.Cluster.Triggers;

/// <summary>
/// A trigger's persisted retries by item id (an offset, or <c>-offset-1</c> for a dead letter being resent), with the
/// changes made since the trigger last persisted its progress.
/// </summary>
internal sealed class RetrySet
{
    private readonly Dictionary<long, RetryEntry> _entries = [];
    private readonly Dictionary<long, RetryEntry> _upserts = [];
    private readonly HashSet<long> _removals = [];

    /// <summary>How many retries are held.</summary>
    public int Count => _entries.Count;

    /// <summary>Every retry held.</summary>
    public IReadOnlyCollection<RetryEntry> Entries => _entries.Values;

    /// <summary>True when retries were set or removed since <see cref="TakeChanges"/>.</summary>
    public bool Changed => _upserts.Count > 0 || _removals.Count > 0;

    /// <summary>True when item <paramref name="id"/> waits as a retry.</summary>
    public bool Contains(long id) => _entries.ContainsKey(id);

    /// <summary>The partition key kept with retry <paramref name="id"/>, if it is held and has one.</summary>
    public string? PartitionKeyOf(long id) => _entries.GetValueOrDefault(id)?.PartitionKey;

    /// <summary>Adds or replaces a retry, to be persisted with the next progress.</summary>
    public void Set(RetryEntry entry)
    {
        _entries[entry.Id] = entry;
        _upserts[entry.Id] = entry;
        _removals.Remove(entry.Id);
    }

    /// <summary>Removes retry <paramref name="id"/>, to be persisted with the next progress; false when none was held.</summary>
    public bool Remove(long id)
    {
        if (!_entries.Remove(id))
        {
            return false;
        }

        _upserts.Remove(id);
        _removals.Add(id);
        return true;
    }

    /// <summary>Applies changes that are persisted already: replayed progress, or retries persisted as they were added.</summary>
    public void Apply(IEnumerable<RetryEntry> upserted, IEnumerable<long> removed)
    {
        foreach (var entry in upserted)
        {
            _entries[entry.Id] = entry;
        }

        foreach (var id in removed)
        {
            _entries.Remove(id);
        }
    }

    /// <summary>The changes to persist now; they are no longer pending after this.</summary>
    public (RetryEntry[] Upserted, long[] Removed) TakeChanges()
    {
        var changes = (_upserts.Values.ToArray(), _removals.ToArray());
        _upserts.Clear();
        _removals.Clear();
        return changes;
    }

    /// <summary>Drops every retry and every pending change (a reset, or a snapshot replacing the state).</summary>
    public void Clear()
    {
        _entries.Clear();
        _upserts.Clear();
        _removals.Clear();
    }
}
