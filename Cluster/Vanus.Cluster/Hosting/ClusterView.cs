using Akka.Cluster;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Hosting;

/// <summary>The members of the node's cluster as <c>GET /api/v1/cluster</c> shows them, from the node's own membership view.</summary>
internal sealed class ClusterView(Akka.Cluster.Cluster cluster, Controller.ControllerLocation? controllerLocation)
{
    /// <summary>Every member (a restarted node's old incarnation too, until it is removed), ordered by name, and the controller's node.</summary>
    public ClusterInfo Describe()
    {
        var state = cluster.State;
        var members = state.Members.Select(m => (Member: m, Name: NodeNames.Of(m))).Where(m => m.Name is not null).ToList();
        var nodes = members
            .Select(m => new ClusterMemberInfo(m.Name!, NodeNames.HttpOf(m.Member), $"{m.Member.Address.Host}:{m.Member.Address.Port}", StatusOf(m.Member, state)))
            .OrderBy(n => n.Name, StringComparer.Ordinal)
            .ThenBy(n => n.Cluster, StringComparer.Ordinal)
            .ToList();

        // With __meta the controller runs where it is led (as this node last heard); else it is a cluster singleton on the
        // oldest member that is up.
        var up = members.Where(m => m.Member.Status == MemberStatus.Up).ToList();
        var controller = controllerLocation is not null
            ? members.FirstOrDefault(m => m.Member.Address == controllerLocation.Address).Name
            : up.Count == 0 ? null : up.Aggregate((a, b) => b.Member.IsOlderThan(a.Member) ? b : a).Name;
        return new ClusterInfo(nodes, controller);
    }

    private static string StatusOf(Member member, ClusterEvent.CurrentClusterState state) => member.Status switch
    {
        MemberStatus.Leaving or MemberStatus.Exiting => "leaving",
        MemberStatus.Down or MemberStatus.Removed => "down",
        _ when state.Unreachable.Contains(member) => "unreachable",
        _ => "up",
    };
}
