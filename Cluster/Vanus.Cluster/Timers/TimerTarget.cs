using System.Diagnostics.CodeAnalysis;
using Vanus.Cluster.Controller;

namespace Vanus.Cluster.Timers;

/// <summary>
/// Where a held event goes: one incarnation of a bus, so a timer never fires into a later bus of the same name. Its text
/// form, <c>{namespace}/{eventbus}/{incarnation}</c>, is what the timer eventlog stores in <see cref="TimerIds.TargetAttribute"/>
/// (names and incarnations hold no '/'); it is parsed once, where a timer is read.
/// </summary>
internal readonly record struct TimerTarget(string Namespace, string Eventbus, string Incarnation) : ISpanFormattable
{
    /// <summary>The target of a bus as the catalog holds it.</summary>
    public static TimerTarget Of(EventbusEntry bus) => new(bus.Namespace, bus.Name, bus.Incarnation);

    /// <summary>Parses the text form; false for anything else.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out TimerTarget? target)
    {
        target = null;
        if (text?.Split('/') is not [var ns, var bus, var incarnation] || ns.Length == 0 || bus.Length == 0 || incarnation.Length == 0)
        {
            return false;
        }

        target = new TimerTarget(ns, bus, incarnation);
        return true;
    }

    /// <summary>True when <paramref name="bus"/> is the incarnation this target names.</summary>
    public bool Names(EventbusEntry bus) => bus.Namespace == Namespace && bus.Name == Eventbus && bus.Incarnation == Incarnation;

    /// <inheritdoc/>
    public override string ToString() => $"{Namespace}/{Eventbus}/{Incarnation}";

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        destination.TryWrite($"{Namespace}/{Eventbus}/{Incarnation}", out charsWritten);
}
