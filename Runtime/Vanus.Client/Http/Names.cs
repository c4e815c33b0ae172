namespace Vanus.Client.Http;

/// <summary>Checks names that travel in URL paths (namespaces, eventbuses, subscriptions) before a request is made.</summary>
internal static class Names
{
    /// <summary>Throws naming <paramref name="parameter"/> when <paramref name="name"/> is empty, has whitespace or control characters, or a slash.</summary>
    public static string Check(string name, string parameter)
    {
        ArgumentNullException.ThrowIfNull(name, parameter);
        if (name.Length == 0)
        {
            throw new ArgumentException("The name must not be empty.", parameter);
        }

        foreach (var c in name)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '\\' or '?' or '#')
            {
                throw new ArgumentException($"'{name}' is not a valid name: it must not contain whitespace, control characters, '/', '\\', '?' or '#'.", parameter);
            }
        }

        return name;
    }
}
