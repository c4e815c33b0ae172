using System.Text;
using Akka.Actor;
using Akka.Cluster;

namespace Vanus.Cluster.Hosting;

/// <summary>Node names (<c>--name</c>): carried as a cluster role, they say where replicas live and who leads.</summary>
internal static class NodeNames
{
    /// <summary>The role that carries a member's name.</summary>
    public const string RolePrefix = "name:";

    /// <summary>The role that carries a member's HTTP endpoint.</summary>
    public const string HttpRolePrefix = "http:";

    private const string NameFile = "node.name";

    /// <summary>The cluster roles a node with <paramref name="options"/> carries: its name and, when known, its HTTP endpoint.</summary>
    public static IEnumerable<string> RolesOf(NodeOptions options)
    {
        if (options.Name is { } name)
        {
            yield return RolePrefix + name;
        }

        if (options.HttpEndpoint is { } http)
        {
            yield return HttpRolePrefix + http;
        }
    }

    /// <summary>The HTTP endpoint a member said it serves, or null.</summary>
    public static string? HttpOf(Member member) =>
        member.Roles.FirstOrDefault(r => r.StartsWith(HttpRolePrefix, StringComparison.Ordinal)) is { } role ? role[HttpRolePrefix.Length..] : null;

    /// <summary>The name of a member, or null for one that carries none (not a Vanus node).</summary>
    public static string? Of(Member member) =>
        member.Roles.FirstOrDefault(r => r.StartsWith(RolePrefix, StringComparison.Ordinal)) is { } role ? role[RolePrefix.Length..] : null;

    /// <summary>
    /// The address of the member named <paramref name="name"/> that is up (or joining), or null. A node restarted after a
    /// crash joins under a new address while its old incarnation is still a member until it is downed: the reachable one
    /// wins, and of two reachable ones the later.
    /// </summary>
    public static Address? AddressOf(Akka.Cluster.Cluster cluster, string name)
    {
        var state = cluster.State;
        var named = Live(state).Where(m => Of(m) == name).ToList();
        var reachable = named.Where(m => !state.Unreachable.Contains(m)).ToList();
        var candidates = reachable.Count > 0 ? reachable : named;
        return candidates.Count == 0 ? null : candidates.Aggregate((a, b) => a.IsOlderThan(b) ? b : a).Address;
    }

    /// <summary>The members that are up, joining or weakly up, and reachable: where a message is worth sending.</summary>
    public static IEnumerable<Member> Reachable(Akka.Cluster.Cluster cluster)
    {
        var state = cluster.State;
        return Live(state).Where(m => !state.Unreachable.Contains(m));
    }

    private static IEnumerable<Member> Live(ClusterEvent.CurrentClusterState state) =>
        state.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Joining or MemberStatus.WeaklyUp);

    /// <summary>True unless the failure detector marks the member at <paramref name="address"/> unreachable.</summary>
    public static bool IsReachable(Akka.Cluster.Cluster cluster, Address address) => !cluster.State.Unreachable.Any(m => m.Address == address);

    /// <summary>What is wrong with <paramref name="name"/> as a node name, or null when it is fine.</summary>
    public static string? Check(string name)
    {
        if (name.Length == 0)
        {
            return "is empty";
        }

        if (Encoding.UTF8.GetByteCount(name) > 200)
        {
            return "is longer than 200 bytes";
        }

        return name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? null
            : "may hold only ASCII letters, digits, '-', '_', '.' and ':'";
    }

    /// <summary>
    /// The node's name: the one given, else <c>host:port</c> of its cluster address, else (port 0, chosen at start) one
    /// made once and kept in the data folder, so that replicas placed on the node find it again after a restart.
    /// </summary>
    public static string Resolve(NodeOptions options, string dataDirectory)
    {
        if (options.Name is { } given)
        {
            return Check(given) is { } problem ? throw new ArgumentException($"node name '{given}' {problem}", nameof(options)) : given;
        }

        if (options.ClusterPort != 0)
        {
            return $"{options.ClusterHost}:{options.ClusterPort}";
        }

        var file = Path.Combine(dataDirectory, NameFile);
        if (File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } kept && Check(kept) is null)
        {
            return kept;
        }

        var made = "node-" + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllText(file, made);
        return made;
    }
}
