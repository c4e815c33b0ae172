namespace Vanus.Runtime.Broker;

/// <summary>
/// Naming rules for namespaces and eventbuses, and the name of a bus's dead-letter bus. Following Vanus, a dead-letter bus
/// is a system bus named <c>__dl_</c> + the bus's name, in the bus's namespace, with one eventlog; names starting with
/// <c>__</c> are reserved for such buses, so a user name starts with a letter or digit.
/// </summary>
public static class EventbusNames
{
    /// <summary>The longest name a user may give a namespace or an eventbus.</summary>
    public const int MaxLength = 128;

    /// <summary>What a dead-letter bus's name starts with.</summary>
    public const string DeadLetterPrefix = "__dl_";

    /// <summary>The namespace that always exists.</summary>
    public const string DefaultNamespace = "default";

    /// <summary>The name of the dead-letter bus of <paramref name="eventbus"/>.</summary>
    public static string DeadLetterOf(string eventbus)
    {
        ArgumentNullException.ThrowIfNull(eventbus);
        return DeadLetterPrefix + eventbus;
    }

    /// <summary>True when <paramref name="name"/> is a dead-letter bus's name.</summary>
    public static bool IsDeadLetter(string name) => name is not null && name.StartsWith(DeadLetterPrefix, StringComparison.Ordinal);

    /// <summary>Why <paramref name="name"/> cannot name a namespace or an eventbus a user creates, or null when it can.</summary>
    public static string? Check(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "must not be empty";
        }

        if (name.Length > MaxLength)
        {
            return $"is {name.Length} characters long; at most {MaxLength} are allowed";
        }

        if (!char.IsAsciiLetterOrDigit(name[0]))
        {
            return name[0] == '_' && name.Length > 1 && name[1] == '_'
                ? "must not start with '__', which is reserved for system buses such as dead-letter buses"
                : $"must start with a letter or a digit, not '{name[0]}'";
        }

        for (var i = 1; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return $"has '{c}' at position {i}; only letters, digits, '.', '_' and '-' are allowed";
            }
        }

        return null;
    }
}
