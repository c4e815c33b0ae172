namespace Vanus.Gateway.Security;

/// <summary>What a route does, as roles see it (DESIGN §7).</summary>
internal enum AccessKind
{
    /// <summary>Read management state of a namespace (or, with no namespace, of any: <c>/metrics</c>).</summary>
    View,

    /// <summary>Change what a namespace holds: eventbuses, subscriptions, schedules.</summary>
    Edit,

    /// <summary>Ingest into an eventbus.</summary>
    Write,

    /// <summary>Read an eventbus's events: reads by offset or id, pull, dead letters.</summary>
    Read,

    /// <summary>Namespaces themselves and tokens.</summary>
    Admin,
}

/// <summary>One access a request needs: its kind, and the namespace and eventbus it is about (null: any).</summary>
internal readonly record struct Access(AccessKind Kind, string? Namespace = null, string? Eventbus = null)
{
    public override string ToString() => Kind switch
    {
        AccessKind.Admin => "admin",
        AccessKind.Write or AccessKind.Read => $"{Kind.ToString().ToLowerInvariant()}:{Namespace ?? "*"}/{Eventbus ?? "*"}",
        _ => $"{Kind.ToString().ToLowerInvariant()}:{Namespace ?? "*"}",
    };
}
