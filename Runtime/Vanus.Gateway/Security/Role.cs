namespace Vanus.Gateway.Security;

/// <summary>
/// A role a token holds (DESIGN §7): <c>admin</c>, <c>edit:{ns}</c>, <c>view:{ns}</c>, <c>write:{ns}/{bus}</c> or
/// <c>read:{ns}/{bus}</c>, where <c>*</c> stands for any namespace or bus. <c>edit</c> is everything inside its
/// namespaces (management, reads and ingest); <c>view</c> is management state only.
/// </summary>
internal readonly record struct Role(AccessKind Kind, string Namespace, string Eventbus)
{
    private const string Any = "*";

    public static readonly Role Admin = new(AccessKind.Admin, Any, Any);

    /// <summary>Reads a role, or says what is wrong with it.</summary>
    public static bool TryParse(string? text, out Role role, out string? error)
    {
        role = default;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "must be a role such as admin, edit:{ns}, view:{ns}, write:{ns}/{bus} or read:{ns}/{bus}";
            return false;
        }

        if (text == "admin")
        {
            role = Admin;
            return true;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? text : text[..colon];
        var scope = colon < 0 ? null : text[(colon + 1)..];
        switch (kind)
        {
            case "edit" or "view":
                if (scope is null || !IsPart(scope))
                {
                    error = $"'{text}' must name a namespace or *, as {kind}:{{ns}}";
                    return false;
                }

                role = new(kind == "edit" ? AccessKind.Edit : AccessKind.View, scope, Any);
                return true;
            case "write" or "read":
                var slash = scope?.IndexOf('/', StringComparison.Ordinal) ?? -1;
                if (scope is null || slash < 0 || !IsPart(scope[..slash]) || !IsPart(scope[(slash + 1)..]))
                {
                    error = $"'{text}' must name a namespace and an eventbus (either may be *), as {kind}:{{ns}}/{{bus}}";
                    return false;
                }

                role = new(kind == "write" ? AccessKind.Write : AccessKind.Read, scope[..slash], scope[(slash + 1)..]);
                return true;
            default:
                error = $"'{text}' is not a role: use admin, edit:{{ns}}, view:{{ns}}, write:{{ns}}/{{bus}} or read:{{ns}}/{{bus}}";
                return false;
        }
    }

    /// <summary>Whether this role allows <paramref name="access"/>.</summary>
    public bool Grants(Access access) => Kind switch
    {
        AccessKind.Admin => true,
        AccessKind.Edit => access.Kind != AccessKind.Admin && Covers(Namespace, access.Namespace),
        AccessKind.View => access.Kind == AccessKind.View && Covers(Namespace, access.Namespace),
        AccessKind.Write or AccessKind.Read => access.Kind == Kind && Covers(Namespace, access.Namespace) && Covers(Eventbus, access.Eventbus),
        _ => false,
    };

    public override string ToString() => Kind switch
    {
        AccessKind.Admin => "admin",
        AccessKind.Write or AccessKind.Read => $"{Kind.ToString().ToLowerInvariant()}:{Namespace}/{Eventbus}",
        _ => $"{Kind.ToString().ToLowerInvariant()}:{Namespace}",
    };

    // An access about "any namespace" (null: /metrics) is met by a role on any one namespace.
    private static bool Covers(string scope, string? wanted) => scope == Any || wanted is null || scope == wanted;

    private static bool IsPart(string part) =>
        part == Any || (part.Length is > 0 and <= 253 && part.AsSpan().IndexOfAny(['/', ':', '*', ' ']) < 0 && Runtime.Events.EventRules.CheckText(part) is null);
}
