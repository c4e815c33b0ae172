using System.Globalization;

namespace Vanus.Cluster.Eventlogs;

/// <summary>
/// An eventlog's identity: eventlog <see cref="Index"/> of one bus incarnation. Its entity id is <c>{incarnation}:{index}</c>,
/// its persistence id <c>eventlog-{entity id}</c>, its folder <c>eventlogs/{incarnation}/{index}</c>. Messages carry the
/// entity id as text (the sharding key); it is parsed once, where the eventlog actor starts.
/// </summary>
internal readonly record struct EventlogId(string Incarnation, int Index) : ISpanFormattable
{
    /// <summary>The sharding type name of eventlog entities.</summary>
    public const string TypeName = "eventlog";

    /// <summary>The entity id messages address.</summary>
    public string EntityId => ToString();

    /// <summary>The persistence id of the eventlog actor's journal.</summary>
    public string PersistenceId => "eventlog-" + EntityId;

    /// <summary>Splits an entity id back into incarnation and index; false for anything this node did not make.</summary>
    public static bool TryParse(string? entityId, out EventlogId id)
    {
        id = default;
        var colon = entityId?.LastIndexOf(':') ?? -1;
        if (colon <= 0
            || !int.TryParse(entityId.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !entityId![..colon].All(char.IsAsciiLetterOrDigit))
        {
            return false;
        }

        id = new EventlogId(entityId[..colon], index);
        return true;
    }

    /// <summary>Parses an entity id, or throws saying whose it is not.</summary>
    public static EventlogId Parse(string entityId) =>
        TryParse(entityId, out var id) ? id : throw new ArgumentException($"'{entityId}' is not an eventlog entity id", nameof(entityId));

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Incarnation}:{Index}");

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        destination.TryWrite(CultureInfo.InvariantCulture, $"{Incarnation}:{Index}", out charsWritten);
}
