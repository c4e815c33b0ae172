namespace Vanus.Runtime.Broker;

/// <summary>The members of the cluster a node belongs to and the node running its controller (DESIGN §6, <c>GET /api/v1/cluster</c>).</summary>
public sealed record ClusterInfo(IReadOnlyList<ClusterMemberInfo> Nodes, string? Controller);

/// <summary>
/// One member: its <c>--name</c>, the HTTP endpoint it serves (null when it did not say), its cluster address, and
/// <see cref="Status"/>: <c>up</c>, <c>unreachable</c>, <c>leaving</c> or <c>down</c>.
/// </summary>
public sealed record ClusterMemberInfo(string Name, string? Http, string Cluster, string Status);
